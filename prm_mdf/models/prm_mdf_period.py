# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount

PERIOD_MONTHS = {"quarter": 3, "year": 12}
# Program states whose partners receive funds when allocations are generated.
FUNDED_STATES = ("active", "onboarding")


class PrmMdfPeriod(models.Model):
    """A fund period (quarter or year) with the budget shared by allocations."""

    _name = "prm.mdf.period"
    _description = "Fund Period"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        required=True,
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    period_type = fields.Selection(
        [("quarter", "Quarter"), ("year", "Year")],
        string="Period Type",
        required=True,
        default="quarter",
    )
    date_from = fields.Date(
        string="Start Date",
        required=True,
        default=lambda self: self._default_date_from(),
        tracking=True,
    )
    date_to = fields.Date(
        string="End Date",
        required=True,
        compute="_compute_date_to",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("open", "Open"), ("closed", "Closed")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    budget = fields.Monetary(
        tracking=True,
        groups="prm_base.group_prm_user",
        help="Funds the company makes available to partners in this period.",
    )
    allocation_rule = fields.Selection(
        [
            ("manual", "Manual"),
            ("tier", "Per Tier"),
            ("accrual", "Accrued on Paid Revenue"),
        ],
        string="Allocation Rule",
        required=True,
        default="tier",
        tracking=True,
        help="How 'Generate Allocations' sizes the allocations: the MDF amount "
        "of the partner's tier, or a percentage of the revenue attributed to "
        "the partner and paid in the previous period. Manual allocations are "
        "never changed by the generation.",
    )
    accrual_percent = fields.Float(
        string="Accrual (%)",
        digits=(16, 2),
        tracking=True,
        help="Share of the partner's paid attributed revenue of the previous "
        "period that it receives as funds.",
    )
    rollover_percent = fields.Float(
        string="Rollover (%)",
        digits=(16, 2),
        tracking=True,
        help="Share of the unused funds that moves to the partner's allocation "
        "in the next period when this period closes; the rest expires.",
    )
    allocation_ids = fields.One2many(
        "prm.mdf.allocation", "period_id", string="Allocations"
    )
    allocation_count = fields.Integer(compute="_compute_allocation_count")
    amount_budgeted = fields.Monetary(
        string="Allocated from Budget",
        compute="_compute_totals",
        groups="prm_base.group_prm_user",
        help="Base amounts of the allocations; rolled-over funds come from the "
        "previous period's budget and do not count here.",
    )
    amount_unallocated = fields.Monetary(
        string="Unallocated Budget",
        compute="_compute_totals",
        groups="prm_base.group_prm_user",
    )
    amount_allocated = fields.Monetary(
        string="Allocated", compute="_compute_totals", groups="prm_base.group_prm_user"
    )
    amount_committed = fields.Monetary(
        string="Committed", compute="_compute_totals", groups="prm_base.group_prm_user"
    )
    amount_claimed = fields.Monetary(
        string="Claimed", compute="_compute_totals", groups="prm_base.group_prm_user"
    )
    amount_paid = fields.Monetary(
        string="Paid", compute="_compute_totals", groups="prm_base.group_prm_user"
    )
    amount_expired = fields.Monetary(
        string="Expired", compute="_compute_totals", groups="prm_base.group_prm_user"
    )
    amount_remaining = fields.Monetary(
        string="Remaining", compute="_compute_totals", groups="prm_base.group_prm_user"
    )

    _sql_constraints = [
        ("budget_positive", "CHECK(budget >= 0)", "The budget cannot be negative."),
        (
            "percent_range",
            "CHECK(accrual_percent >= 0 AND accrual_percent <= 100 "
            "AND rollover_percent >= 0 AND rollover_percent <= 100)",
            "Accrual and rollover percentages are between 0 and 100.",
        ),
    ]

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------

    @api.model
    def _default_date_from(self):
        today = fields.Date.context_today(self)
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)

    @api.depends("date_from", "period_type")
    def _compute_date_to(self):
        for period in self:
            if period.date_from:
                months = PERIOD_MONTHS.get(period.period_type, 3)
                period.date_to = (
                    period.date_from + relativedelta(months=months) - timedelta(days=1)
                )
            else:
                period.date_to = period.date_to

    @api.depends("date_from", "period_type")
    def _compute_name(self):
        for period in self:
            date_from = period.date_from
            if not date_from:
                period.name = period.name
            elif period.period_type == "year":
                period.name = str(date_from.year)
            else:
                quarter = (date_from.month - 1) // 3 + 1
                period.name = f"Q{quarter} {date_from.year}"

    def _compute_allocation_count(self):
        data = dict(
            self.env["prm.mdf.allocation"]._read_group(
                [("period_id", "in", self.ids)], ["period_id"], ["__count"]
            )
        )
        for period in self:
            period.allocation_count = data.get(period, 0)

    @api.depends(
        "budget",
        "allocation_ids.amount",
        "allocation_ids.amount_allocated",
        "allocation_ids.amount_expired",
    )
    def _compute_totals(self):
        allocations = self.env["prm.mdf.allocation"].sudo()
        if self.ids:
            allocations = allocations.search([("period_id", "in", self.ids)])
        balances = allocations._prm_balances()
        totals = {
            period.id: dict.fromkeys(
                ("budgeted", "allocated", "committed", "claimed", "paid", "expired"),
                0.0,
            )
            for period in self
        }
        for allocation in allocations:
            values = totals.get(allocation.period_id.id)
            if values is None:
                continue
            values["budgeted"] += allocation.amount
            for key in ("allocated", "committed", "claimed", "paid", "expired"):
                values[key] += balances[allocation.id][key]
        for period in self:
            values = totals[period.id]
            currency = period.currency_id or self.env.company.currency_id
            period.amount_budgeted = currency.round(values["budgeted"])
            period.amount_unallocated = currency.round(
                period.budget - values["budgeted"]
            )
            period.amount_allocated = currency.round(values["allocated"])
            period.amount_committed = currency.round(values["committed"])
            period.amount_claimed = currency.round(values["claimed"])
            period.amount_paid = currency.round(values["paid"])
            period.amount_expired = currency.round(values["expired"])
            period.amount_remaining = currency.round(
                values["allocated"]
                - values["committed"]
                - values["claimed"]
                - values["paid"]
                - values["expired"]
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("date_from", "date_to", "company_id")
    def _check_overlap(self):
        for period in self:
            if period.date_to < period.date_from:
                raise ValidationError(
                    self.env._("The period %s ends before it starts.", period.name)
                )
            overlapping = self.search(
                [
                    ("id", "!=", period.id),
                    ("company_id", "=", period.company_id.id),
                    ("date_from", "<=", period.date_to),
                    ("date_to", ">=", period.date_from),
                ],
                limit=1,
            )
            if overlapping:
                raise ValidationError(
                    self.env._(
                        "The fund period %(period)s overlaps %(other)s.",
                        period=period.name,
                        other=overlapping.name,
                    )
                )

    @api.constrains("budget")
    def _check_budget(self):
        """The base amounts of the allocations never exceed the budget."""
        periods = self.sudo()
        data = dict(
            self.env["prm.mdf.allocation"]
            .sudo()
            ._read_group(
                [("period_id", "in", periods.ids)], ["period_id"], ["amount:sum"]
            )
        )
        for period in periods:
            allocated = data.get(period, 0.0)
            if (
                float_compare(
                    allocated,
                    period.budget,
                    precision_rounding=period.currency_id.rounding,
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The allocations of %(period)s (%(allocated)s) exceed its "
                        "budget (%(budget)s).",
                        period=period.name,
                        allocated=format_amount(
                            self.env, allocated, period.currency_id
                        ),
                        budget=format_amount(
                            self.env, period.budget, period.currency_id
                        ),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_requested(self):
        if self.env["prm.mdf.request"].search_count(
            [("period_id", "in", self.ids)], limit=1
        ):
            raise UserError(
                self.env._(
                    "Partners requested funds in this period: close it instead of "
                    "deleting it."
                )
            )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _prm_check_manager(self):
        if self.env.su or self.env.user.has_group("prm_base.group_prm_manager"):
            return
        raise AccessError(
            self.env._("Only PRM administrators manage fund periods and budgets.")
        )

    def action_open(self):
        self._prm_check_manager()
        if self.filtered(lambda p: p.state != "draft"):
            raise UserError(self.env._("Only draft fund periods can be opened."))
        self.write({"state": "open"})

    def action_close(self):
        """Close the periods: unused funds expire, a share rolls over."""
        self._prm_check_manager()
        if self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("Only open fund periods can be closed."))
        self.write({"state": "closed"})
        for period in self.sorted("date_from"):
            period.allocation_ids.filtered(lambda a: a.state == "active")._prm_expire()
        return True

    def action_reset_draft(self):
        self._prm_check_manager()
        if self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("Only open fund periods go back to draft."))
        if self.env["prm.mdf.request"].search_count(
            [("period_id", "in", self.ids), ("state", "!=", "draft")], limit=1
        ):
            raise UserError(
                self.env._("Partners already requested funds in this period.")
            )
        self.write({"state": "draft"})

    def _prm_next_period(self):
        """The following period of the same company that is not closed."""
        self.ensure_one()
        return self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("date_from", ">", self.date_to),
                ("state", "!=", "closed"),
            ],
            order="date_from",
            limit=1,
        )

    @api.model
    def _cron_close_periods(self):
        """Close the open periods that ended; cancel the approved requests
        whose claim deadline passed (their funds are released)."""
        today = fields.Date.context_today(self)
        ended = self.search([("state", "=", "open"), ("date_to", "<", today)])
        ended.action_close()
        self.env["prm.mdf.request"]._prm_cancel_unclaimed()
        return ended

    # ------------------------------------------------------------------
    # Allocation generation
    # ------------------------------------------------------------------

    def action_generate_allocations(self):
        """Create or update the allocations of the periods from their rule.

        Manual allocations are kept as they are; allocations created by a
        rule or by a rollover get the amount of the rule.
        """
        self._prm_check_manager()
        for period in self:
            if period.state == "closed":
                raise UserError(
                    self.env._("The period %s is closed.", period.display_name)
                )
            if period.allocation_rule == "manual":
                raise UserError(
                    self.env._(
                        "The period %s allocates funds by hand: add the "
                        "allocations in its list.",
                        period.display_name,
                    )
                )
            amounts = (
                period._prm_tier_amounts()
                if period.allocation_rule == "tier"
                else period._prm_accrual_amounts()
            )
            period._prm_apply_amounts(amounts, period.allocation_rule)
        return True

    def _prm_funded_partner_domain(self):
        self.ensure_one()
        return [
            ("prm_state", "in", FUNDED_STATES),
            ("company_id", "in", (False, self.company_id.id)),
        ]

    def _prm_tier_amounts(self):
        """``{partner_id: amount}``: the MDF amount of each member's tier."""
        self.ensure_one()
        partners = (
            self.env["res.partner"]
            .sudo()
            .search(
                self._prm_funded_partner_domain()
                + [("grade_id.active", "=", True), ("grade_id.prm_mdf_amount", ">", 0)]
            )
        )
        currency = self.currency_id
        return {
            partner.id: currency.round(partner.grade_id.prm_mdf_amount)
            for partner in partners
        }

    def _prm_previous_window(self):
        """First and last day of the previous period (the period before this
        one if it exists, else the same length right before it)."""
        self.ensure_one()
        previous = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("date_to", "<", self.date_from),
            ],
            order="date_to desc",
            limit=1,
        )
        if previous:
            return previous.date_from, previous.date_to
        months = PERIOD_MONTHS.get(self.period_type, 3)
        return (
            self.date_from - relativedelta(months=months),
            self.date_from - timedelta(days=1),
        )

    def _prm_paid_revenue(self, partners, date_from, date_to):
        """``{partner_id: amount}``: untaxed revenue attributed to the partners
        (or resold to them) on posted customer invoices and refunds of the
        period's company dated between the two dates and paid, in company
        currency. Fund credit notes do not count. One query for all partners.
        """
        self.ensure_one()
        if not partners:
            return {}
        self.env["account.move"].flush_model(
            [
                "state",
                "move_type",
                "payment_state",
                "invoice_date",
                "company_id",
                "prm_channel_partner_id",
                "commercial_partner_id",
                "amount_untaxed_signed",
            ]
        )
        self.env["prm.mdf.claim"].flush_model(["move_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(m.prm_channel_partner_id, m.commercial_partner_id),
                       SUM(m.amount_untaxed_signed)
                  FROM account_move m
                 WHERE m.company_id = %(company_id)s
                   AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.invoice_date >= %(date_from)s
                   AND m.invoice_date <= %(date_to)s
                   AND (m.prm_channel_partner_id = ANY(%(ids)s)
                        OR (m.prm_channel_partner_id IS NULL
                            AND m.commercial_partner_id = ANY(%(ids)s)))
                   AND NOT EXISTS (
                        SELECT 1 FROM prm_mdf_claim c WHERE c.move_id = m.id
                   )
              GROUP BY 1
                """,
                company_id=self.company_id.id,
                date_from=date_from,
                date_to=date_to,
                ids=partners.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _prm_accrual_amounts(self):
        """``{partner_id: amount}``: the accrual percentage of each member's
        paid attributed revenue in the previous period."""
        self.ensure_one()
        if float_compare(self.accrual_percent, 0.0, precision_digits=2) <= 0:
            raise UserError(
                self.env._("Set the accrual percentage of %s first.", self.name)
            )
        partners = (
            self.env["res.partner"].sudo().search(self._prm_funded_partner_domain())
        )
        date_from, date_to = self._prm_previous_window()
        revenue = self._prm_paid_revenue(partners, date_from, date_to)
        currency = self.currency_id
        amounts = {}
        for partner_id, amount in revenue.items():
            accrued = currency.round(amount * self.accrual_percent / 100.0)
            if currency.compare_amounts(accrued, 0.0) > 0:
                amounts[partner_id] = accrued
        return amounts

    def _prm_apply_amounts(self, amounts, origin):
        """Write ``{partner_id: amount}`` on the period's allocations."""
        self.ensure_one()
        # constraints are checked once for the whole batch, see below
        Allocation = self.env["prm.mdf.allocation"].with_context(
            prm_mdf_batch_check=True
        )
        existing = {
            allocation.partner_id.id: allocation
            for allocation in Allocation.search([("period_id", "=", self.id)])
        }
        to_create = []
        to_update = defaultdict(lambda: Allocation)
        for partner_id, amount in amounts.items():
            allocation = existing.get(partner_id)
            if not allocation:
                to_create.append(
                    {
                        "period_id": self.id,
                        "partner_id": partner_id,
                        "amount": amount,
                        "origin": origin,
                    }
                )
            elif allocation.origin != "manual" and allocation.state == "active":
                to_update[amount] |= allocation
        updated = Allocation
        for amount, allocations in to_update.items():
            allocations.write({"amount": amount, "origin": origin})
            updated |= allocations
        created = Allocation.create(to_create)
        self._check_budget()
        updated._check_amount_covers_usage(force=True)
        self.message_post(
            body=self.env._(
                "Allocations generated (%(rule)s): %(created)s created, "
                "%(updated)s updated, %(total)s in total.",
                rule=dict(
                    self._fields["allocation_rule"]._description_selection(self.env)
                )[origin],
                created=len(created),
                updated=len(updated),
                total=format_amount(self.env, sum(amounts.values()), self.currency_id),
            )
        )
        return created | updated

    # ------------------------------------------------------------------
    # Navigation
    # ------------------------------------------------------------------

    def action_view_allocations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_mdf.prm_mdf_allocation_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        action["context"] = {"default_period_id": self.id}
        return action

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_mdf.prm_mdf_request_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        action["context"] = {}
        return action
