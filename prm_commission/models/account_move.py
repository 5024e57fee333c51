# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import fields, models

from .prm_commission_plan import period_bounds

COMMISSION_MOVE_TYPES = ("out_invoice", "out_refund")


class AccountMove(models.Model):
    _inherit = "account.move"

    prm_commission_line_ids = fields.One2many(
        "prm.commission.line",
        "move_id",
        string="Commission Lines",
        groups="prm_base.group_prm_user,account.group_account_invoice",
    )
    prm_commission_line_count = fields.Integer(
        string="Commissions",
        compute="_compute_prm_commission_line_count",
        groups="prm_base.group_prm_user,account.group_account_invoice",
    )
    prm_commission_statement_ids = fields.One2many(
        "prm.commission.statement",
        "bill_id",
        string="Commission Statements",
        groups="prm_base.group_prm_user,account.group_account_invoice",
    )

    def _compute_prm_commission_line_count(self):
        data = dict(
            self.env["prm.commission.line"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["__count"]
            )
        )
        for move in self:
            move.prm_commission_line_count = data.get(move, 0)

    def action_view_prm_commission_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_commission.prm_commission_line_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_prm_commission_statements(self):
        self.ensure_one()
        return self.prm_commission_statement_ids._get_records_action(
            name=self.env._("Commission Statements")
        )

    # ------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if not self.env.context.get("prm_commission_skip"):
            posted._prm_commission_on_post()
        return posted

    def button_draft(self):
        moves = self.filtered(
            lambda m: m.move_type in COMMISSION_MOVE_TYPES and m.prm_channel_partner_id
        )
        res = super().button_draft()
        if moves and not self.env.context.get("prm_commission_skip"):
            moves.sudo()._prm_commission_on_reset()
        return res

    def write(self, vals):
        reattributed = self.browse()
        if "prm_channel_partner_id" in vals:
            new_partner_id = vals["prm_channel_partner_id"] or False
            reattributed = self.filtered(
                lambda m: (
                    m.state == "posted"
                    and m.move_type in COMMISSION_MOVE_TYPES
                    and m.prm_channel_partner_id.id != new_partner_id
                )
            )
        res = super().write(vals)
        if reattributed:
            reattributed.sudo()._prm_commission_recompute()
        return res

    def unlink(self):
        statements = (
            self.env["prm.commission.statement"]
            .sudo()
            .search([("bill_id", "in", self.ids)])
        )
        res = super().unlink()
        if statements:
            statements._prm_write_state({"state": "approved"})
        return res

    def _prm_commission_on_post(self):
        """Compute what the posted customer invoices earn, and release it."""
        moves = self.filtered(
            lambda m: (
                m.move_type in COMMISSION_MOVE_TYPES
                and m.state == "posted"
                and m.prm_channel_partner_id
            )
        ).sudo()
        if not moves:
            return self.env["prm.commission.line"]
        moves._prm_commission_compute_entitlements()
        return moves._prm_commission_sync()

    def _prm_commission_on_reset(self):
        """Invoices back to draft: take back everything they released."""
        self.env["account.move.line"].search(
            [("move_id", "in", self.ids), ("prm_commission_rule_id", "!=", False)]
        )._prm_commission_clear()
        return self._prm_commission_sync(event_date=fields.Date.context_today(self))

    def _prm_commission_recompute(self):
        """The channel partner of posted invoices changed: take back what the
        former partner earned, compute what the new one earns."""
        self.env["account.move.line"].search(
            [("move_id", "in", self.ids), ("prm_commission_rule_id", "!=", False)]
        )._prm_commission_clear()
        self.filtered("prm_channel_partner_id")._prm_commission_compute_entitlements()
        return self._prm_commission_sync(event_date=fields.Date.context_today(self))

    # ------------------------------------------------------------------
    # Deal origin (hook)
    # ------------------------------------------------------------------

    def _prm_commission_deal_origin(self):
        """Origin of the deal this customer invoice comes from: ``registered``,
        ``distributed``, ``resale`` or ``referral``.

        Resale when the channel partner is the invoiced customer; registered
        when the invoice comes from an opportunity the channel partner
        registered (``crm.lead._prm_registered_by``, answered by the deal
        registration addon); distributed when it comes from an opportunity the
        vendor assigned to the channel partner; referral otherwise.
        """
        self.ensure_one()
        partner = self.prm_channel_partner_id
        if partner and self.commercial_partner_id == partner:
            return "resale"
        leads = self.invoice_line_ids.sale_line_ids.order_id.opportunity_id
        if partner and any(lead._prm_registered_by(partner) for lead in leads):
            return "registered"
        if partner and any(
            lead.partner_assigned_id.commercial_partner_id == partner for lead in leads
        ):
            return "distributed"
        return "referral"

    def _prm_commission_deal_origins(self):
        """``{move_id: origin}``; iterating keeps the ORM prefetching the whole
        batch, so the number of queries does not grow with the moves."""
        return {move.id: move._prm_commission_deal_origin() for move in self}

    # ------------------------------------------------------------------
    # Engine (set-based)
    # ------------------------------------------------------------------

    def _prm_commission_paid_share(self):
        """Share of the invoice paid, from its amount due."""
        self.ensure_one()
        if self.currency_id.is_zero(self.amount_total):
            return 1.0
        share = (self.amount_total - self.amount_residual) / self.amount_total
        return min(max(share, 0.0), 1.0)

    def _prm_commission_period_state(self, amls, plans, rules, partners):
        """Running sums of the volume periods the lines fall in.

        Returns ``(rule_state, plan_state)``: ``{(company, partner, rule,
        period_start): [volume, raw, amount]}`` and ``{(company, partner, plan,
        period_start): amount}`` (company currency), from the entitlements of the
        other posted invoices, in one query.
        """
        rule_state = defaultdict(lambda: [0.0, 0.0, 0.0])
        plan_state = defaultdict(float)
        days = {move.invoice_date or move.date for move in amls.move_id}
        periods = {plan.volume_period for plan in plans}
        date_from = min(period_bounds(d, p)[0] for d in days for p in periods)
        date_to = max(period_bounds(d, p)[1] for d in days for p in periods)
        rows = self.env["account.move.line"]._read_group(
            [
                ("parent_state", "=", "posted"),
                ("prm_commission_rule_id", "in", rules.ids),
                ("prm_commission_partner_id", "in", partners.ids),
                ("invoice_date", ">=", date_from),
                ("invoice_date", "<=", date_to),
                ("id", "not in", amls.ids),
            ],
            [
                "company_id",
                "prm_commission_partner_id",
                "prm_commission_rule_id",
                "invoice_date:month",
            ],
            [
                "prm_commission_base_company:sum",
                "prm_commission_raw_company:sum",
                "prm_commission_amount_company:sum",
            ],
        )
        for company, partner, rule, month, volume, raw, amount in rows:
            plan = rule.plan_id
            start = period_bounds(month, plan.volume_period)[0]
            state = rule_state[(company, partner, rule, start)]
            state[0] += volume
            state[1] += raw
            state[2] += amount
            plan_state[(company, partner, plan, start)] += amount
        return rule_state, plan_state

    def _prm_commission_compute_entitlements(self):
        """Find the rule of every product line of the posted invoices in ``self``
        and store what it earns once fully released.

        One search loads the lines, rules are matched in Python against the
        preloaded plans, and one UPDATE stores the results: the number of
        queries does not depend on the number of invoices or lines.
        """
        AccountMoveLine = self.env["account.move.line"]
        partners = self.prm_channel_partner_id
        plan_by_partner = partners._prm_commission_plans()
        plans = self.env["prm.commission.plan"].union(*plan_by_partner.values())
        if not plans:
            return {}
        amls = AccountMoveLine.search(
            [("move_id", "in", self.ids), ("display_type", "=", "product")]
        )
        if not amls:
            return {}
        rules_by_plan = {
            plan: plan.rule_ids.sorted(lambda r: (r.sequence, r.id)) for plan in plans
        }
        rules = plans.rule_ids
        # prefetch what matching reads, for all rules at once
        rules.product_ids  # noqa: B018
        rules.categ_ids  # noqa: B018
        rules.band_ids  # noqa: B018
        origins = self._prm_commission_deal_origins()
        rule_state, plan_state = self._prm_commission_period_state(
            amls, plans, rules, partners
        )
        values = {}
        ordered = amls.sorted(
            lambda aml: (
                aml.move_id.invoice_date or aml.move_id.date,
                aml.move_id.id,
                aml.sequence,
                aml.id,
            )
        )
        for aml in ordered:
            move = aml.move_id
            partner = move.prm_channel_partner_id
            plan = plan_by_partner.get(partner)
            if not plan or (plan.company_id and plan.company_id != move.company_id):
                continue
            product = aml.product_id
            categ_path = product.categ_id.parent_path or ""
            categ_ids = {int(part) for part in categ_path.split("/") if part}
            day = move.invoice_date or move.date
            origin = origins[move.id]
            rule = next(
                (
                    rule
                    for rule in rules_by_plan[plan]
                    if rule._prm_matches(
                        product, categ_ids, partner.prm_partner_type, origin, day
                    )
                ),
                None,
            )
            if rule:
                values[aml.id] = aml._prm_commission_entitlement(
                    plan, rule, partner, origin, rule_state, plan_state
                )
        AccountMoveLine._prm_commission_store(values)
        return values

    def _prm_commission_sync(self, event_date=None):
        """Release what the invoices in ``self`` earned and is not released yet.

        Per invoice line, partner and rule the target is the full entitlement
        (trigger "invoice posted"), the paid share of it (trigger "invoice
        paid"), or nothing (invoice no longer posted, or line no longer
        entitled). The difference with the lines already created becomes a new
        line, so calling this again creates nothing: resetting and re-posting
        an invoice never counts it twice. All lines are created in one batch.
        """
        Line = self.env["prm.commission.line"].sudo()
        moves = self.filtered(lambda m: m.move_type in COMMISSION_MOVE_TYPES)
        if not moves:
            return Line
        released = {
            (aml.id, partner.id, rule.id): (amount, amount_company, base, last_id)
            for aml, partner, rule, amount, amount_company, base, last_id in (
                Line._read_group(
                    [("move_id", "in", moves.ids), ("invoice_line_id", "!=", False)],
                    ["invoice_line_id", "partner_id", "rule_id"],
                    ["amount:sum", "amount_company:sum", "base:sum", "id:max"],
                )
            )
        }
        targets = {}
        for aml in self.env["account.move.line"].search(
            [("move_id", "in", moves.ids), ("prm_commission_rule_id", "!=", False)]
        ):
            move = aml.move_id
            if move.state != "posted":
                continue
            rule = aml.prm_commission_rule_id
            share = (
                move._prm_commission_paid_share()
                if rule.plan_id.trigger == "paid"
                else 1.0
            )
            targets[(aml.id, aml.prm_commission_partner_id.id, rule.id)] = share
        keys = sorted(targets.keys() | released.keys())
        if not keys:
            return Line
        amls = {
            aml.id: aml
            for aml in self.env["account.move.line"].browse([key[0] for key in keys])
        }
        # one query each for the partners' tiers and the rules' plans
        partner_ids = list({key[1] for key in keys})
        rule_ids = list({key[2] for key in keys})
        self.env["res.partner"].browse(partner_ids).grade_id  # noqa: B018
        self.env["prm.commission.rule"].browse(rule_ids).plan_id  # noqa: B018
        last_lines = {
            line.id: line
            for line in Line.browse(
                [released[key][3] for key in keys if key in released]
            )
        }
        vals_list = []
        for key in keys:
            aml = amls[key[0]]
            share = targets.get(key)
            previous = released.get(key, (0.0, 0.0, 0.0, False))
            vals = aml._prm_commission_line_vals(
                key, share, previous, last_lines.get(previous[3]), event_date
            )
            if vals:
                vals_list.append(vals)
        return Line.create(vals_list)
