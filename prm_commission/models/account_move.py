# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.prm_base.tools import insert_rows

from .account_move_line import (
    EntitlementRow,
    ReleaseRow,
    commission_entitlement,
    commission_line_vals,
    currency_rounder,
    rule_terms,
)
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

    def _prm_commission_invoices(self, domain=()):
        """The customer invoices and credit notes among ``self`` (matching
        ``domain``), in one query: posting in bulk would otherwise load
        every column of every invoice to filter them."""
        return self.sudo().search(
            [("id", "in", self.ids), ("move_type", "in", COMMISSION_MOVE_TYPES)]
            + list(domain),
            order="id",
        )

    def _prm_commission_on_post(self):
        """Compute what the posted customer invoices earn, and release it."""
        moves = self._prm_commission_invoices(
            [("state", "=", "posted"), ("prm_channel_partner_id", "!=", False)]
        )
        if not moves:
            return self.env["prm.commission.line"]
        moves._prm_commission_compute_entitlements()
        return moves._prm_commission_sync()

    def _prm_commission_on_reset(self):
        """Invoices back to draft: take back everything they released."""
        self.env["prm.commission.entitlement"]._prm_delete_for_moves(self.ids)
        return self._prm_commission_sync(event_date=fields.Date.context_today(self))

    def _prm_commission_recompute(self):
        """The channel partner of posted invoices changed: take back what the
        former partner earned, compute what the new one earns."""
        self._prm_commission_compute_entitlements()
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
        """``{move_id: origin}`` of the invoices in ``self``, in one query: an
        invoice is a resale when it bills the channel partner, a referral when
        no opportunity is behind it; only the invoices that come from
        opportunities ask ``_prm_commission_deal_origin``."""
        if not self:
            return {}
        self.env["account.move"].flush_model(
            ["commercial_partner_id", "prm_channel_partner_id"]
        )
        self.env["account.move.line"].flush_model(["move_id", "display_type"])
        self.env["sale.order"].flush_model(["opportunity_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id,
                       m.commercial_partner_id = m.prm_channel_partner_id,
                       EXISTS (
                           SELECT 1
                             FROM account_move_line l
                             JOIN sale_order_line_invoice_rel rel
                               ON rel.invoice_line_id = l.id
                             JOIN sale_order_line sol
                               ON sol.id = rel.order_line_id
                             JOIN sale_order so ON so.id = sol.order_id
                            WHERE l.move_id = m.id
                              AND l.display_type IN ('product', 'line_section',
                                                     'line_note')
                              AND so.opportunity_id IS NOT NULL
                       )
                  FROM account_move m
                 WHERE m.id = ANY(%s)
                """,
                self.ids,
            )
        )
        origins, sourced = {}, []
        for move_id, resale, from_lead in self.env.cr.fetchall():
            if resale:
                origins[move_id] = "resale"
            elif from_lead:
                sourced.append(move_id)
            else:
                origins[move_id] = "referral"
        for move in self.browse(sourced):
            origins[move.id] = move._prm_commission_deal_origin()
        return origins

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

    def _prm_commission_period_state(self, days, plans, rules, partners):
        """Running sums of the volume periods the lines fall in.

        Returns ``(rule_state, plan_state)``: ``{(company_id, partner_id,
        rule_id, period_start): [volume, raw, amount]}`` and ``{(company_id,
        partner_id, plan_id, period_start): amount}`` (company currency), from
        the entitlements of the other posted invoices (those of ``self`` are
        deleted before they are computed again), in one query.
        """
        rule_state = defaultdict(lambda: [0.0, 0.0, 0.0])
        plan_state = defaultdict(float)
        periods = {plan.volume_period for plan in plans}
        date_from = min(period_bounds(d, p)[0] for d in days for p in periods)
        date_to = max(period_bounds(d, p)[1] for d in days for p in periods)
        rows = self.env["prm.commission.entitlement"]._read_group(
            [
                ("rule_id", "in", rules.ids),
                ("partner_id", "in", partners.ids),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            ["company_id", "partner_id", "rule_id", "date:month"],
            ["base_company:sum", "raw_company:sum", "amount_company:sum"],
        )
        for company, partner, rule, month, volume, raw, amount in rows:
            plan = rule.plan_id
            start = period_bounds(month, plan.volume_period)[0]
            state = rule_state[(company.id, partner.id, rule.id, start)]
            state[0] += volume
            state[1] += raw
            state[2] += amount
            plan_state[(company.id, partner.id, plan.id, start)] += amount
        return rule_state, plan_state

    def _prm_commission_product_rows(self):
        """The product lines of the invoices in ``self``, as
        :class:`EntitlementRow`, in the order their volume adds up: invoice
        date, invoice, sequence."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.move_id, m.company_id, m.prm_channel_partner_id,
                       l.product_id, COALESCE(pc.parent_path, ''),
                       COALESCE(m.invoice_date, m.date), m.currency_id,
                       c.currency_id, COALESCE(m.invoice_currency_rate, 0),
                       COALESCE(l.amount_currency, 0), COALESCE(l.balance, 0)
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN res_company c ON c.id = m.company_id
                  LEFT JOIN product_product pp ON pp.id = l.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN product_category pc ON pc.id = pt.categ_id
                 WHERE l.move_id = ANY(%s) AND l.display_type = 'product'
                 ORDER BY COALESCE(m.invoice_date, m.date), m.id, l.sequence, l.id
                """,
                self.ids,
            )
        )
        return [
            EntitlementRow(*row[:9], float(row[9]), float(row[10]), float(row[11]))
            for row in self.env.cr.fetchall()
        ]

    def _prm_commission_compute_entitlements(self):
        """Find the rule of every product line of the posted invoices in ``self``
        and store what it earns once fully released.

        One query loads the lines as plain rows, rules are matched in Python
        against the preloaded plans (once per product, partner type, origin
        and day), and one INSERT stores the results: the number of queries
        does not depend on the number of invoices or lines. The entitlements
        the invoices had before are replaced.
        """
        self.env["prm.commission.entitlement"]._prm_delete_for_moves(self.ids)
        rows = self._prm_commission_product_rows()
        partners = self.env["res.partner"].browse(
            {row.partner_id for row in rows} - {None}
        )
        plan_by_partner = partners._prm_commission_plans()
        plans = self.env["prm.commission.plan"].union(*plan_by_partner.values())
        if not plans:
            return {}
        rules_by_plan = {
            plan: plan.rule_ids.sorted(lambda r: (r.sequence, r.id)) for plan in plans
        }
        rules = plans.rule_ids
        # prefetch what matching reads, for all rules at once
        rules.product_ids  # noqa: B018
        rules.categ_ids  # noqa: B018
        rules.band_ids  # noqa: B018
        programs = {
            partner.id: (plan, partner.prm_partner_type, plan.company_id.id)
            for partner, plan in plan_by_partner.items()
        }
        origins = self._prm_commission_deal_origins()
        rule_state, plan_state = self._prm_commission_period_state(
            {row.day for row in rows}, plans, rules, partners
        )
        currency_ids = {row.currency_id for row in rows}
        currency_ids |= {row.company_currency_id for row in rows}
        rounding = {
            currency.id: currency_rounder(currency.rounding)
            for currency in self.env["res.currency"].browse(currency_ids)
        }
        Product = self.env["product.product"]
        matches = {}
        values = {}
        for row in rows:
            plan, partner_type, plan_company_id = programs.get(
                row.partner_id, (None, None, None)
            )
            if not plan or (plan_company_id and plan_company_id != row.company_id):
                continue
            origin = origins[row.move_id]
            # plain values only: hashing a recordset costs more
            match_key = (plan.id, row.product_id, row.categ_path, partner_type)
            match_key += (origin, row.day)
            if match_key not in matches:
                categ_ids = {int(part) for part in row.categ_path.split("/") if part}
                product = Product.browse(row.product_id)
                rule = next(
                    (
                        rule
                        for rule in rules_by_plan[plan]
                        if rule._prm_matches(
                            product, categ_ids, partner_type, origin, row.day
                        )
                    ),
                    None,
                )
                matches[match_key] = rule and rule_terms(rule, plan)
            terms = matches[match_key]
            if terms:
                values[row.id] = commission_entitlement(
                    row, origin, terms, rule_state, plan_state, rounding
                )
        insert_rows(self.env["prm.commission.entitlement"], list(values.values()), True)
        return values

    def _prm_commission_release_rows(self, aml_ids):
        """The lines of the invoices in ``self`` that are entitled to a
        commission, or are among ``aml_ids`` (released before), as
        :class:`ReleaseRow`."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, e.partner_id, e.rule_id, COALESCE(l.name, ''),
                       l.product_id, COALESCE(e.amount, 0),
                       COALESCE(e.amount_company, 0), COALESCE(e.base, 0),
                       COALESCE(e.rate, 0), e.deal_origin, m.id, m.name,
                       m.move_type, m.state = 'posted',
                       COALESCE(m.invoice_date, m.date), m.company_id,
                       m.currency_id, c.currency_id, pl.trigger
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN res_company c ON c.id = m.company_id
                  LEFT JOIN prm_commission_entitlement e
                    ON e.invoice_line_id = l.id
                  LEFT JOIN prm_commission_rule r ON r.id = e.rule_id
                  LEFT JOIN prm_commission_plan pl ON pl.id = r.plan_id
                 WHERE l.move_id = ANY(%s)
                   AND (e.id IS NOT NULL OR l.id = ANY(%s))
                """,
                self.ids,
                list(aml_ids),
            )
        )
        rows = [
            ReleaseRow(*row[:5], *(float(value) for value in row[5:9]), *row[9:])
            for row in self.env.cr.fetchall()
        ]
        # a line without a description is named after its product
        nameless = {row.product_id for row in rows if not row.label}
        products = {
            product.id: product.display_name or ""
            for product in self.env["product.product"].browse(nameless - {None})
        }
        return [
            row
            if row.label and "\n" not in row.label
            else row._replace(
                label=(row.label or products.get(row.product_id, "")).split("\n")[0]
            )
            for row in rows
        ]

    def _prm_commission_sync(self, event_date=None):
        """Release what the invoices in ``self`` earned and is not released yet.

        Per invoice line, partner and rule the target is the full entitlement
        (trigger "invoice posted"), the paid share of it (trigger "invoice
        paid"), or nothing (invoice no longer posted, or line no longer
        entitled). The difference with the lines already created becomes a new
        line, so calling this again creates nothing: resetting and re-posting
        an invoice never counts it twice. The lines are computed from plain
        rows and inserted with one statement.
        """
        Line = self.env["prm.commission.line"].sudo()
        moves = self._prm_commission_invoices()
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
        rows = {
            row.id: row
            for row in moves._prm_commission_release_rows({key[0] for key in released})
        }
        paid = [
            row.move_id
            for row in rows.values()
            if row.posted and row.rule_id and row.trigger == "paid"
        ]
        shares = {
            move.id: move._prm_commission_paid_share() for move in self.browse(paid)
        }
        targets = {
            (row.id, row.partner_id, row.rule_id): shares.get(row.move_id, 1.0)
            for row in rows.values()
            if row.posted and row.rule_id
        }
        keys = sorted(targets.keys() | released.keys())
        if not keys:
            return Line
        partners = Line.env["res.partner"].browse({key[1] for key in keys})
        rules = Line.env["prm.commission.rule"].browse({key[2] for key in keys})
        currencies = Line.env["res.currency"].browse(
            {row.currency_id for row in rows.values()}
            | {row.company_currency_id for row in rows.values()}
        )
        context = {
            "rounding": {
                currency.id: currency_rounder(currency.rounding)
                for currency in currencies
            },
            "grades": {partner.id: partner.grade_id.id for partner in partners},
            "plans": {rule.id: rule.plan_id.id for rule in rules},
            "event_date": event_date,
        }
        last_lines = {
            line.id: line
            for line in Line.browse(
                [released[key][3] for key in keys if key in released]
            )
        }
        vals_list = []
        for key in keys:
            previous = released.get(key, (0.0, 0.0, 0.0, False))
            vals = commission_line_vals(
                self.env,
                rows[key[0]],
                key,
                targets.get(key),
                previous,
                last_lines.get(previous[3]),
                context,
            )
            if vals:
                vals_list.append(vals)
        return Line._prm_insert(vals_list)
