# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

BALANCE_KEYS = ("allocated", "committed", "claimed", "paid", "expired", "remaining")


class PrmMdfAllocation(models.Model):
    """The funds of one partner in one period, in company currency."""

    _name = "prm.mdf.allocation"
    _description = "Fund Allocation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "period_id, partner_id, id"
    _check_company_auto = True

    period_id = fields.Many2one(
        "prm.mdf.period",
        string="Period",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain=[("prm_state", "!=", False)],
    )
    company_id = fields.Many2one(
        related="period_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_state = fields.Selection(related="period_id.state", string="Period Status")
    date_from = fields.Date(related="period_id.date_from")
    date_to = fields.Date(related="period_id.date_to")
    origin = fields.Selection(
        [
            ("manual", "Manual"),
            ("tier", "Tier"),
            ("accrual", "Accrual"),
            ("rollover", "Rollover"),
        ],
        required=True,
        default="manual",
        tracking=True,
        help="How the base amount was set. Generating the allocations of a "
        "period never changes manual allocations.",
    )
    amount = fields.Monetary(
        string="Base Amount",
        tracking=True,
        help="Funds allocated from the period's budget.",
    )
    rollover_amount = fields.Monetary(
        string="Rolled Over In",
        readonly=True,
        tracking=True,
        copy=False,
        help="Unused funds of the previous period added to this allocation.",
    )
    rollover_source_id = fields.Many2one(
        "prm.mdf.allocation",
        string="Rolled Over From",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    amount_allocated = fields.Monetary(
        string="Allocated",
        compute="_compute_amount_allocated",
        store=True,
        help="Base amount plus the funds rolled over from the previous period.",
    )
    amount_committed = fields.Monetary(
        string="Committed",
        compute="_compute_balances",
        help="Requests waiting for approval, and approved requests not claimed yet.",
    )
    amount_claimed = fields.Monetary(
        string="Claimed",
        compute="_compute_balances",
        help="Claims submitted or approved, not paid yet.",
    )
    amount_paid = fields.Monetary(
        string="Paid", compute="_compute_balances", help="Claims paid."
    )
    amount_remaining = fields.Monetary(
        string="Remaining",
        compute="_compute_balances",
        help="Funds the partner can still request.",
    )
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired")],
        default="active",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    amount_expired = fields.Monetary(
        string="Expired",
        readonly=True,
        copy=False,
        help="Funds unused when the period closed.",
    )
    amount_rolled_over = fields.Monetary(
        string="Rolled Over Out",
        readonly=True,
        copy=False,
        help="Part of the expired funds moved to the next period.",
    )
    date_last_reservation = fields.Datetime(
        string="Last Reservation",
        readonly=True,
        copy=False,
        help="When a request last reserved funds of this allocation.",
    )
    request_ids = fields.One2many(
        "prm.mdf.request", "allocation_id", string="Fund Requests"
    )
    request_count = fields.Integer(compute="_compute_request_count")

    _sql_constraints = [
        (
            "period_partner_unique",
            "UNIQUE(period_id, partner_id)",
            "A partner has one allocation per fund period.",
        ),
        (
            "amounts_positive",
            "CHECK(amount >= 0 AND rollover_amount >= 0)",
            "Allocated amounts cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("partner_id", "period_id")
    def _compute_display_name(self):
        for allocation in self:
            allocation.display_name = " - ".join(
                name
                for name in (
                    allocation.partner_id.display_name,
                    allocation.period_id.name,
                )
                if name
            )

    @api.depends("amount", "rollover_amount")
    def _compute_amount_allocated(self):
        for allocation in self:
            allocation.amount_allocated = allocation.amount + allocation.rollover_amount

    def _prm_balances(self):
        """Balances of the allocations in company currency.

        Returns ``{allocation_id: {allocated, committed, claimed, paid,
        expired, remaining}}`` from two grouped queries, whatever the number
        of allocations. Read as superuser: a balance covers every request of
        the allocation, also those the reader does not see (a Partner Member
        sees only their own requests).
        """
        ids = [allocation_id for allocation_id in self.ids if allocation_id]
        balances = {
            allocation_id: dict.fromkeys(BALANCE_KEYS, 0.0) for allocation_id in ids
        }
        if not ids:
            return balances
        Request = self.env["prm.mdf.request"].sudo()
        for allocation, state, requested, approved in Request._read_group(
            [("allocation_id", "in", ids), ("state", "in", ("submitted", "approved"))],
            ["allocation_id", "state"],
            ["amount_requested_company:sum", "amount_approved_company:sum"],
        ):
            balances[allocation.id]["committed"] += (
                requested if state == "submitted" else approved
            )
        Claim = self.env["prm.mdf.claim"].sudo()
        for allocation, state, amount in Claim._read_group(
            [
                ("allocation_id", "in", ids),
                ("state", "in", ("submitted", "approved", "paid")),
            ],
            ["allocation_id", "state"],
            ["amount_company:sum"],
        ):
            balances[allocation.id]["paid" if state == "paid" else "claimed"] += amount
        for allocation in self.sudo().browse(ids):
            values = balances[allocation.id]
            currency = allocation.currency_id
            values["allocated"] = allocation.amount_allocated
            values["expired"] = allocation.amount_expired
            for key in ("committed", "claimed", "paid"):
                values[key] = currency.round(values[key])
            values["remaining"] = currency.round(
                values["allocated"]
                - values["committed"]
                - values["claimed"]
                - values["paid"]
                - values["expired"]
            )
        return balances

    @api.depends(
        "amount_allocated",
        "amount_expired",
        "request_ids.state",
        "request_ids.amount_requested_company",
        "request_ids.amount_approved_company",
        "request_ids.claim_ids.state",
        "request_ids.claim_ids.amount_company",
    )
    def _compute_balances(self):
        balances = self._origin._prm_balances()
        for allocation in self:
            values = balances.get(allocation._origin.id)
            if values is None:
                values = dict.fromkeys(BALANCE_KEYS, 0.0)
                values["remaining"] = values["allocated"] = allocation.amount_allocated
            allocation.amount_committed = values["committed"]
            allocation.amount_claimed = values["claimed"]
            allocation.amount_paid = values["paid"]
            allocation.amount_remaining = values["remaining"]

    def _compute_request_count(self):
        data = dict(
            self.env["prm.mdf.request"]._read_group(
                [("allocation_id", "in", self.ids)], ["allocation_id"], ["__count"]
            )
        )
        for allocation in self:
            allocation.request_count = data.get(allocation, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("partner_id")
    def _check_partner(self):
        for allocation in self:
            partner = allocation.partner_id
            if partner.commercial_partner_id != partner or not partner.prm_state:
                raise ValidationError(
                    self.env._(
                        "Funds are allocated to program partner companies, not to %s.",
                        partner.display_name,
                    )
                )

    @api.constrains("amount", "period_id")
    def _check_period_budget(self):
        if not self.env.context.get("prm_mdf_batch_check"):
            self.period_id._check_budget()

    @api.constrains("amount", "rollover_amount")
    def _check_amount_covers_usage(self, force=False):
        """An allocation never drops below the funds already used."""
        if self.env.context.get("prm_mdf_batch_check") and not force:
            return
        active = self.filtered(lambda a: a.state == "active")
        balances = active._prm_balances()
        for allocation in active:
            remaining = balances[allocation.id]["remaining"]
            if allocation.currency_id.compare_amounts(remaining, 0.0) < 0:
                raise ValidationError(
                    self.env._(
                        "%(allocation)s cannot be reduced below the funds already "
                        "requested or claimed (%(used)s).",
                        allocation=allocation.display_name,
                        used=format_amount(
                            self.env,
                            allocation.amount_allocated - remaining,
                            allocation.currency_id,
                        ),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_requested(self):
        if self.env["prm.mdf.request"].search_count(
            [("allocation_id", "in", self.ids)], limit=1
        ):
            raise UserError(
                self.env._(
                    "Partners requested funds on this allocation: it cannot be deleted."
                )
            )

    # ------------------------------------------------------------------
    # Expiry and rollover
    # ------------------------------------------------------------------

    def _prm_expire(self):
        """Expire the allocations (their period closed): the remaining funds
        expire and the period's rollover percentage of them is added to the
        partner's allocation in the next period."""
        balances = self._prm_balances()
        Allocation = self.env["prm.mdf.allocation"].sudo()
        for period, allocations in self.grouped("period_id").items():
            currency = period.currency_id
            next_period = period._prm_next_period()
            next_allocations = {
                allocation.partner_id.id: allocation
                for allocation in next_period.allocation_ids
            }
            to_create = []
            lost = 0.0
            for allocation in allocations:
                remaining = max(balances[allocation.id]["remaining"], 0.0)
                rollover = currency.round(remaining * period.rollover_percent / 100.0)
                if currency.is_zero(rollover):
                    rollover = 0.0
                elif not next_period:
                    lost += rollover
                    rollover = 0.0
                allocation.write(
                    {
                        "state": "expired",
                        "amount_expired": remaining,
                        "amount_rolled_over": rollover,
                    }
                )
                if not rollover:
                    continue
                target = next_allocations.get(allocation.partner_id.id)
                if target:
                    target.sudo().write(
                        {
                            "rollover_amount": target.rollover_amount + rollover,
                            "rollover_source_id": allocation.id,
                        }
                    )
                else:
                    to_create.append(
                        {
                            "period_id": next_period.id,
                            "partner_id": allocation.partner_id.id,
                            "origin": "rollover",
                            "amount": 0.0,
                            "rollover_amount": rollover,
                            "rollover_source_id": allocation.id,
                        }
                    )
            Allocation.create(to_create)
            if lost:
                period.message_post(
                    body=self.env._(
                        "No next fund period exists: %s of unused funds could not "
                        "roll over and expired.",
                        format_amount(self.env, lost, currency),
                    )
                )
        return True

    # ------------------------------------------------------------------
    # Navigation
    # ------------------------------------------------------------------

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_mdf.prm_mdf_request_action"
        )
        action["domain"] = [("allocation_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action
