# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import date_utils

TRIGGERS = [
    ("posted", "Invoice Posted"),
    ("paid", "Invoice Paid"),
]
STATEMENT_PERIODS = [
    ("month", "Monthly"),
    ("quarter", "Quarterly"),
]
VOLUME_PERIODS = [
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
]


def period_bounds(day, period):
    """First and last day of the ``period`` (month, quarter, year) of ``day``."""
    return date_utils.start_of(day, period), date_utils.end_of(day, period)


class PrmCommissionPlan(models.Model):
    _name = "prm.commission.plan"
    _description = "Commission Plan"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="Leave empty to use the plan in every company; amounts are then in "
        "the currency of the invoicing company.",
    )
    currency_id = fields.Many2one(
        "res.currency", string="Currency", compute="_compute_currency_id"
    )
    trigger = fields.Selection(
        TRIGGERS,
        required=True,
        default="posted",
        tracking=True,
        help="Invoice Posted: the commission is earned when the customer invoice "
        "is posted. Invoice Paid: it is released as the customer pays, pro rata "
        "to the amount paid (partial payments release a share).",
    )
    statement_period = fields.Selection(
        STATEMENT_PERIODS,
        required=True,
        default="month",
        tracking=True,
        help="How often statements are generated for the partners of this plan.",
    )
    volume_period = fields.Selection(
        VOLUME_PERIODS,
        string="Volume Period",
        required=True,
        default="quarter",
        tracking=True,
        help="Period over which volume bands accumulate and caps apply; a true-up "
        "settles each band and cap once its period has ended.",
    )
    cap_amount = fields.Monetary(
        string="Cap per Period",
        tracking=True,
        help="Most a partner earns under this plan per volume period, all rules "
        "together (0: no cap).",
    )
    rule_ids = fields.One2many(
        "prm.commission.rule", "plan_id", string="Rules", copy=True
    )
    grade_ids = fields.One2many(
        "res.partner.grade", "prm_commission_plan_id", string="Tiers"
    )
    partner_count = fields.Integer(
        string="Partner Overrides", compute="_compute_partner_count"
    )
    note = fields.Html(
        string="Terms",
        translate=True,
        help="Terms of the plan, printed on the partners' statements.",
    )

    _sql_constraints = [
        (
            "cap_positive",
            "CHECK(cap_amount >= 0)",
            "The cap of a commission plan cannot be negative.",
        ),
    ]

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = (plan.company_id or self.env.company).currency_id

    def _compute_partner_count(self):
        data = dict(
            self.env["res.partner"]._read_group(
                [("prm_commission_plan_id", "in", self.ids)],
                ["prm_commission_plan_id"],
                ["__count"],
            )
        )
        for plan in self:
            plan.partner_count = data.get(plan, 0)

    def _prm_capped(self, amount):
        self.ensure_one()
        if self.cap_amount and amount > self.cap_amount:
            return self.cap_amount
        return amount

    def _prm_has_trueup(self):
        """Whether the plan has bands or caps, settled by a true-up."""
        self.ensure_one()
        return bool(self.cap_amount) or any(
            rule.rate_type == "bands" or rule.cap_amount for rule in self.rule_ids
        )

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_base.prm_partner_action"
        )
        action["domain"] = [("prm_commission_plan_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_trueup_last_period(self):
        """Button: settle bands and caps of the last closed volume period."""
        self.env["prm.commission.statement"]._prm_check_manager()
        today = fields.Date.context_today(self)
        for plan in self.sudo():
            plan._prm_trueup_last_period(today)
        return True

    # ------------------------------------------------------------------
    # True-up of volume bands and caps
    # ------------------------------------------------------------------

    def _prm_trueup_last_period(self, today):
        self.ensure_one()
        last_day = date_utils.start_of(today, self.volume_period) - timedelta(days=1)
        return self._prm_trueup(*period_bounds(last_day, self.volume_period))

    def _prm_trueup(self, date_from, date_to):
        """Create the lines that make each partner's commission over the period
        exactly what its bands and caps give on the period's final volume.

        During the period, lines are computed in posting order; invoices reset
        and re-posted, or posted late, can leave them off by a little. The
        true-up compares, per partner and rule, the exact amount with what the
        invoices' lines and earlier true-ups already gave, and books the
        difference (company currency) on the last day of the period. Running it
        again creates nothing unless an invoice of the period changed.
        """
        self.ensure_one()
        if not self._prm_has_trueup():
            return self.env["prm.commission.line"]
        Line = self.env["prm.commission.line"].sudo()
        rules = self.with_context(active_test=False).rule_ids
        entitled = (
            self.env["prm.commission.entitlement"]
            .sudo()
            ._read_group(
                [
                    ("rule_id", "in", rules.ids),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ],
                ["company_id", "partner_id", "rule_id"],
                ["base_company:sum", "raw_company:sum", "amount_company:sum"],
            )
        )
        booked = Line._read_group(
            [
                ("kind", "=", "trueup"),
                ("plan_id", "=", self.id),
                ("period_start", "=", date_from),
            ],
            ["company_id", "partner_id", "rule_id"],
            ["amount_company:sum"],
        )
        actual = defaultdict(float)
        exact = defaultdict(dict)
        for company, partner, rule, volume, raw, amount in entitled:
            actual[(company, partner, rule)] += amount
            exact[(company, partner)][rule] = rule._prm_capped(
                rule._prm_band_amount(volume) if rule.rate_type == "bands" else raw
            )
        for company, partner, rule, amount in booked:
            actual[(company, partner, rule)] += amount
            exact[(company, partner)].setdefault(rule, 0.0)
        vals_list = []
        for (company, partner), per_rule in exact.items():
            if self.cap_amount:
                # the plan cap binds all rules together: settle their total
                no_rule = self.env["prm.commission.rule"]
                targets = {no_rule: self._prm_capped(sum(per_rule.values()))}
                booked_amount = sum(
                    actual[(company, partner, rule)] for rule in per_rule
                )
                actual[(company, partner, no_rule)] = booked_amount
            else:
                targets = {rule: amount for rule, amount in per_rule.items() if rule}
            currency = company.currency_id
            for rule, amount in targets.items():
                diff = currency.round(amount - actual[(company, partner, rule)])
                if currency.is_zero(diff):
                    continue
                vals_list.append(
                    {
                        "name": self.env._(
                            "True-up %(name)s, %(start)s - %(end)s",
                            name=rule.name or self.name,
                            start=date_from,
                            end=date_to,
                        ),
                        "kind": "trueup",
                        "date": date_to,
                        "period_start": date_from,
                        "partner_id": partner.id,
                        "grade_id": partner.grade_id.id,
                        "company_id": company.id,
                        "currency_id": currency.id,
                        "plan_id": self.id,
                        "rule_id": rule.id,
                        "amount": diff,
                        "amount_company": diff,
                    }
                )
        return Line.create(vals_list)
