# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    _inherit = "res.partner"

    prm_commission_plan_id = fields.Many2one(
        "prm.commission.plan",
        string="Commission Plan Override",
        tracking=True,
        index="btree_not_null",
        help="Commission plan of this partner instead of the plan of its tier.",
    )
    prm_commission_effective_plan_id = fields.Many2one(
        "prm.commission.plan",
        string="Commission Plan",
        compute="_compute_prm_commission_effective_plan_id",
    )
    prm_commission_statement_count = fields.Integer(
        string="Commission Statements",
        compute="_compute_prm_commission_statement_count",
    )
    prm_commission_line_ids = fields.One2many(
        "prm.commission.line",
        "partner_id",
        string="Commission Lines",
        groups="prm_base.group_prm_user",
    )
    # Cache of the portal's commission figures, kept by the ORM whenever a
    # line is created, changed, deleted or follows its statement:
    # {company id: {year: {line state: amount in company currency}}}
    prm_commission_totals = fields.Json(
        string="Commission Totals",
        compute="_compute_prm_commission_totals",
        store=True,
        groups="base.group_system",
    )

    # Scorecard, in the currency of the current company
    prm_commission_currency_id = fields.Many2one(
        "res.currency",
        string="Commission Currency",
        compute="_compute_prm_commission_scorecard",
    )
    prm_commission_earned_year = fields.Monetary(
        string="Commissions Earned This Year",
        currency_field="prm_commission_currency_id",
        compute="_compute_prm_commission_scorecard",
    )
    prm_commission_unpaid = fields.Monetary(
        string="Commissions Unpaid",
        currency_field="prm_commission_currency_id",
        compute="_compute_prm_commission_scorecard",
        help="Commission lines not paid yet, whatever their date.",
    )

    @api.depends("prm_commission_plan_id", "grade_id.prm_commission_plan_id")
    def _compute_prm_commission_effective_plan_id(self):
        plans = self._prm_commission_plans()
        for partner in self:
            partner.prm_commission_effective_plan_id = plans.get(partner)

    def _compute_prm_commission_scorecard(self):
        """Commissions earned this year and unpaid in the current company,
        from one grouped query for all the partners (record rules apply)."""
        Line = self.env["prm.commission.line"]
        company = self.env.company
        start = date(fields.Date.context_today(self).year, 1, 1)
        earned, unpaid = defaultdict(float), defaultdict(float)
        partner_ids = [partner_id for partner_id in self._origin.ids if partner_id]
        if partner_ids and Line.has_access("read"):
            for partner, state, year, amount in Line._read_group(
                [("partner_id", "in", partner_ids), ("company_id", "=", company.id)],
                ["partner_id", "state", "date:year"],
                ["amount_company:sum"],
            ):
                if year and year >= start:
                    earned[partner.id] += amount
                if state != "paid":
                    unpaid[partner.id] += amount
        currency = company.currency_id
        for partner in self:
            partner.prm_commission_currency_id = currency
            partner.prm_commission_earned_year = currency.round(
                earned[partner._origin.id]
            )
            partner.prm_commission_unpaid = currency.round(unpaid[partner._origin.id])

    @api.depends(
        "prm_commission_line_ids.amount_company",
        "prm_commission_line_ids.company_id",
        "prm_commission_line_ids.date",
        "prm_commission_line_ids.state",
    )
    def _compute_prm_commission_totals(self):
        """All the partners' lines in one grouped query (whatever the user
        may read: the cache is read for the partner's own admins only)."""
        totals = defaultdict(dict)
        partner_ids = [partner_id for partner_id in self._origin.ids if partner_id]
        if partner_ids:
            for partner, company, year, state, amount in (
                self.env["prm.commission.line"]
                .sudo()
                ._read_group(
                    [("partner_id", "in", partner_ids)],
                    ["partner_id", "company_id", "date:year", "state"],
                    ["amount_company:sum"],
                )
            ):
                by_year = totals[partner.id].setdefault(str(company.id), {})
                by_year.setdefault(str(year.year) if year else "", {})[state] = amount
        for partner in self:
            partner.prm_commission_totals = totals.get(partner._origin.id) or {}

    def _compute_prm_commission_statement_count(self):
        Statement = self.env["prm.commission.statement"]
        data = (
            dict(
                Statement._read_group(
                    [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
                )
            )
            if Statement.has_access("read")
            else {}
        )
        for partner in self:
            partner.prm_commission_statement_count = data.get(partner, 0)

    def _prm_commission_plans(self):
        """``{partner: plan}`` of the program partners in ``self``: their own
        plan, else their tier's; partners without a plan are left out."""
        plans = {}
        for partner in self:
            plan = (
                partner.prm_commission_plan_id
                or partner.grade_id.prm_commission_plan_id
            )
            if plan.active:
                plans[partner] = plan
        return plans

    def _prm_commission_plan(self):
        self.ensure_one()
        return self._prm_commission_plans().get(self, self.env["prm.commission.plan"])

    def write(self, vals):
        if (
            "prm_commission_plan_id" in vals
            and not self.env.su
            and not self.env.user.has_group("prm_base.group_prm_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only PRM administrators can give a partner its own commission "
                    "plan."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_prm_view_commission_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_commission.prm_commission_statement_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_prm_preview_commission_statement(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_commission.prm_commission_preview_action"
        )
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def _prm_commission_summary(self):
        """Commission earned this year and pending (current company currency),
        from the lines the current user may read: the partner's own Partner
        Admins read the cached totals (their record rules give them all the
        partner's lines), anybody else one grouped query."""
        self.ensure_one()
        company = self.env.company
        year = fields.Date.context_today(self).year
        earned, pending = 0.0, 0.0
        if self._prm_commission_totals_apply():
            by_year = (self.sudo().prm_commission_totals or {}).get(str(company.id))
            for line_year, amounts in (by_year or {}).items():
                if line_year and int(line_year) >= year:
                    earned += sum(amounts.values())
                pending += amounts.get("pending", 0.0)
        else:
            for state, in_year, amount in self.env["prm.commission.line"]._read_group(
                [("partner_id", "=", self.id), ("company_id", "=", company.id)],
                ["state", "date:year"],
                ["amount_company:sum"],
            ):
                if in_year and in_year.year >= year:
                    earned += amount
                if state == "pending":
                    pending += amount
        currency = company.currency_id
        return {
            "currency": currency,
            "earned": currency.round(earned),
            "pending": currency.round(pending),
        }

    def _prm_commission_totals_apply(self):
        """Whether the cached totals are what the current user may read: the
        partner's Partner Admins read all its lines (record rules)."""
        user = self.env.user
        return (
            not self.env.su
            and user.commercial_partner_id == self
            and user._prm_portal_role() == "admin"
            and self.env["prm.commission.line"].has_access("read")
        )

    def _prm_portal_tiles(self):
        tiles = super()._prm_portal_tiles()
        # the portal shell may call this on a sudo partner: check the user's rights
        partner = self.sudo(False)
        if partner.env["prm.commission.line"].has_access("read"):
            summary = partner._prm_commission_summary()
            currency = summary["currency"]
            tiles.append(
                {
                    "sequence": 40,
                    "name": self.env._("Commissions earned this year"),
                    "value": currency.format(summary["earned"]),
                    "url": "/my/commissions",
                    "icon": "fa-money",
                    "hint": self.env._(
                        "%s pending", currency.format(summary["pending"])
                    ),
                }
            )
            tiles.sort(key=lambda tile: tile["sequence"])
        return tiles
