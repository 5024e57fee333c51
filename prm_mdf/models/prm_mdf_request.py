# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount

ACTIVITY_TYPES = [
    ("event", "Event"),
    ("digital", "Digital Campaign"),
    ("coop", "Co-op Advertising"),
    ("training", "Training"),
    ("other", "Other"),
]
REQUEST_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("returned", "Returned"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("claimed", "Claimed"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
]
# States in which the partner edits its request.
EDITABLE_STATES = ("draft", "returned")
# States of the requests that hold funds of their allocation.
COMMITTED_STATES = ("submitted", "approved")
# What partners (portal users) may write; the workflow writes the rest.
PORTAL_FIELDS = frozenset(
    {
        "title",
        "activity_type",
        "description",
        "date_start",
        "date_end",
        "currency_id",
        "amount_requested",
        "expected_leads",
        "expected_revenue",
        "plan_file",
        "plan_filename",
    }
)
# Fixed once the request is submitted: they size the reservation.
LOCKED_FIELDS = frozenset(
    {
        "partner_id",
        "company_id",
        "currency_id",
        "amount_requested",
        "date_request",
        "allocation_id",
    }
)
# Written by the workflow only (``prm_mdf_transition`` in the context).
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "amount_approved",
        "date_submitted",
        "date_decided",
        "approver_id",
        "reject_reason",
        "return_reason",
        "requester_id",
    }
)


class PrmMdfRequest(models.Model):
    """A partner's request for market development funds for one activity."""

    _name = "prm.mdf.request"
    _description = "Fund Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    title = fields.Char(string="Activity", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("prm_state", "!=", False)],
    )
    requester_id = fields.Many2one(
        "res.users",
        string="Requested By",
        readonly=True,
        copy=False,
        index="btree_not_null",
        default=lambda self: self.env.user,
    )
    user_id = fields.Many2one(
        related="partner_id.prm_channel_manager_id",
        string="Channel Manager",
        store=True,
        index="btree_not_null",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    allocation_id = fields.Many2one(
        "prm.mdf.allocation",
        string="Allocation",
        compute="_compute_allocation_id",
        store=True,
        readonly=False,
        index=True,
        check_company=True,
        ondelete="restrict",
        tracking=True,
        help="The partner's allocation in the open fund period; set again when "
        "the request is submitted.",
    )
    period_id = fields.Many2one(
        related="allocation_id.period_id", store=True, index=True, string="Period"
    )
    activity_type = fields.Selection(
        ACTIVITY_TYPES, string="Activity Type", required=True, default="event"
    )
    description = fields.Text(string="Plan Summary")
    date_start = fields.Date(string="Activity Start", required=True, tracking=True)
    date_end = fields.Date(string="Activity End", required=True, tracking=True)
    date_request = fields.Date(
        string="Request Date",
        required=True,
        copy=False,
        default=fields.Date.context_today,
        help="The amount is converted to the company currency at the rate of "
        "this day (the day of the submission).",
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    currency_rate = fields.Float(
        string="Conversion Rate",
        compute="_compute_currency_rate",
        store=True,
        digits=0,
        help="Company currency per unit of the request currency on the request date.",
    )
    amount_requested = fields.Monetary(string="Requested Amount", tracking=True)
    amount_requested_company = fields.Monetary(
        string="Requested (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_company_amounts",
        store=True,
    )
    amount_approved = fields.Monetary(
        string="Approved Amount", readonly=True, copy=False, tracking=True
    )
    amount_approved_company = fields.Monetary(
        string="Approved (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_company_amounts",
        store=True,
    )
    expected_leads = fields.Integer(string="Expected Leads")
    expected_revenue = fields.Monetary(string="Expected Revenue")
    plan_file = fields.Binary(string="Activity Plan", attachment=True, copy=False)
    plan_filename = fields.Char(string="Plan File Name", copy=False)
    campaign_id = fields.Many2one(
        "utm.campaign",
        string="Campaign",
        tracking=True,
        help="Leads and invoices of this campaign are the outcome of the "
        "activity (return on investment).",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account",
        check_company=True,
        help="Analytic account of the bill paying the claim (default: the one "
        "in the settings).",
    )
    state = fields.Selection(
        REQUEST_STATES,
        string="Status",
        default="draft",
        required=True,
        compute="_compute_state",
        store=True,
        readonly=False,
        tracking=True,
        copy=False,
        index=True,
        group_expand=True,
    )
    date_submitted = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    date_decided = fields.Datetime(string="Decided On", readonly=True, copy=False)
    approver_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False
    )
    reject_reason = fields.Text(
        string="Rejection Reason", readonly=True, copy=False, tracking=True
    )
    return_reason = fields.Text(
        string="Information Needed", readonly=True, copy=False, tracking=True
    )
    claim_deadline = fields.Date(
        string="Claim Deadline",
        compute="_compute_claim_deadline",
        store=True,
        help="Last day to claim the funds: the end of the activity plus the "
        "claim delay of the settings.",
    )
    claim_ids = fields.One2many("prm.mdf.claim", "request_id", string="Claims")
    claim_count = fields.Integer(compute="_compute_claim_amounts")
    amount_claimed = fields.Monetary(
        string="Claimed Spend",
        currency_field="company_currency_id",
        compute="_compute_claim_amounts",
        help="Spend of the claims submitted or approved, not paid yet.",
    )
    amount_paid = fields.Monetary(
        string="Paid Spend",
        currency_field="company_currency_id",
        compute="_compute_claim_amounts",
    )
    # Return on investment
    roi_lead_count = fields.Integer(string="Leads", compute="_compute_roi")
    roi_registration_count = fields.Integer(
        string="Registrations", compute="_compute_roi"
    )
    roi_revenue = fields.Monetary(
        string="Attributed Revenue",
        currency_field="company_currency_id",
        compute="_compute_roi",
        help="Untaxed revenue of the posted customer invoices of the campaign.",
    )
    roi_ratio = fields.Float(
        string="Revenue per Spend",
        compute="_compute_roi",
        digits=(16, 2),
        help="Attributed revenue divided by the paid spend.",
    )

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK(amount_requested >= 0 AND amount_approved >= 0 "
            "AND expected_leads >= 0 AND expected_revenue >= 0)",
            "Amounts and expected results cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("name", "title")
    def _compute_display_name(self):
        for request in self:
            request.display_name = (
                f"{request.name} - {request.title}" if request.title else request.name
            )

    @api.depends("partner_id", "company_id")
    def _compute_currency_id(self):
        for request in self:
            company = request.company_id or self.env.company
            request.currency_id = (
                request.currency_id
                or request.partner_id.sudo()
                .with_company(company)
                .property_product_pricelist.currency_id
                or request.company_id.currency_id
                or self.env.company.currency_id
            )

    @api.depends("currency_id", "company_id", "date_request")
    def _compute_currency_rate(self):
        Currency = self.env["res.currency"]
        for request in self:
            company = request.company_id or self.env.company
            if not request.currency_id:
                request.currency_rate = 1.0
                continue
            request.currency_rate = Currency._get_conversion_rate(
                request.currency_id,
                company.currency_id,
                company,
                request.date_request or fields.Date.context_today(request),
            )

    @api.depends("amount_requested", "amount_approved", "currency_rate")
    def _compute_company_amounts(self):
        for request in self:
            currency = request.company_id.currency_id or self.env.company.currency_id
            request.amount_requested_company = currency.round(
                request.amount_requested * request.currency_rate
            )
            request.amount_approved_company = currency.round(
                request.amount_approved * request.currency_rate
            )

    @api.depends("partner_id", "company_id", "date_request")
    def _compute_allocation_id(self):
        editable = self.filtered(lambda r: r.state in EDITABLE_STATES)
        found = editable._prm_find_allocations()
        for request in self:
            if request in editable:
                request.allocation_id = found.get(request.id, request.allocation_id)
            else:
                request.allocation_id = request.allocation_id

    @api.depends("claim_ids.state")
    def _compute_state(self):
        """Claims move the request: claimed while one is under way, paid once
        one is paid, back to approved when the claim is rejected."""
        for request in self:
            claim_states = set(request.claim_ids.mapped("state"))
            if "paid" in claim_states:
                request.state = "paid"
            elif claim_states & {"submitted", "approved"}:
                request.state = "claimed"
            elif request.state in ("claimed", "paid"):
                request.state = "approved"
            else:
                request.state = request.state or "draft"

    @api.depends("date_end", "company_id.prm_mdf_claim_deadline_days")
    def _compute_claim_deadline(self):
        for request in self:
            request.claim_deadline = request.date_end and (
                request.date_end
                + timedelta(days=request.company_id.prm_mdf_claim_deadline_days)
            )

    def _prm_claim_amounts(self):
        """``{request_id: {count, claimed, paid}}`` in company currency, from
        one grouped query."""
        amounts = defaultdict(lambda: {"count": 0, "claimed": 0.0, "paid": 0.0})
        request_ids = [request_id for request_id in self._origin.ids if request_id]
        if not request_ids:
            return amounts
        for request, state, count, amount in (
            self.env["prm.mdf.claim"]
            .sudo()
            ._read_group(
                [("request_id", "in", request_ids)],
                ["request_id", "state"],
                ["__count", "amount_company:sum"],
            )
        ):
            values = amounts[request.id]
            values["count"] += count
            if state == "paid":
                values["paid"] += amount
            elif state in ("submitted", "approved"):
                values["claimed"] += amount
        return amounts

    @api.depends("claim_ids.state", "claim_ids.amount_company")
    def _compute_claim_amounts(self):
        amounts = self._prm_claim_amounts()
        for request in self:
            values = amounts[request._origin.id]
            request.claim_count = values["count"]
            request.amount_claimed = values["claimed"]
            request.amount_paid = values["paid"]

    def _prm_roi_registration_counts(self):
        """``{request_id: count}`` of the deal registrations the requests
        generated. Extension hook for the deal registration addon."""
        return dict.fromkeys(self._origin.ids, 0)

    @api.depends("campaign_id", "claim_ids.state", "claim_ids.amount_company")
    def _compute_roi(self):
        """Leads and revenue of the requests' campaigns, set-based. Read as
        superuser: only counts and sums leave this method."""
        campaigns = self.campaign_id
        leads = {}
        revenue = {}
        if campaigns:
            leads = {
                campaign.id: count
                for campaign, count in self.env["crm.lead"]
                .sudo()
                .with_context(active_test=False)
                ._read_group(
                    [("campaign_id", "in", campaigns.ids)],
                    ["campaign_id"],
                    ["__count"],
                )
            }
            revenue = {
                (campaign.id, company.id): amount
                for campaign, company, amount in self.env["account.move"]
                .sudo()
                ._read_group(
                    [
                        ("campaign_id", "in", campaigns.ids),
                        ("state", "=", "posted"),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                    ],
                    ["campaign_id", "company_id"],
                    ["amount_untaxed_signed:sum"],
                )
            }
        registrations = self._prm_roi_registration_counts()
        spend = self._prm_claim_amounts()
        for request in self:
            campaign_id = request.campaign_id.id
            request.roi_lead_count = leads.get(campaign_id, 0)
            request.roi_registration_count = registrations.get(request._origin.id, 0)
            amount = revenue.get((campaign_id, request.company_id.id), 0.0)
            request.roi_revenue = amount
            paid = spend[request._origin.id]["paid"]
            request.roi_ratio = (
                round(amount / paid, 2)
                if request.company_currency_id.compare_amounts(paid, 0.0) > 0
                else 0.0
            )

    def _compute_access_url(self):
        super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/funds/request/{request.id}"

    # ------------------------------------------------------------------
    # Allocation lookup
    # ------------------------------------------------------------------

    def _prm_find_allocations(self):
        """``{request_id: allocation}``: the partner's active allocation in
        the open period covering the request date, else in the latest open
        period. One search for all requests."""
        partners = self.partner_id
        if not partners:
            return {}
        allocations = (
            self.env["prm.mdf.allocation"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "active"),
                    ("period_id.state", "=", "open"),
                ]
            )
        )
        today = fields.Date.context_today(self)
        found = {}
        for request in self:
            candidates = allocations.filtered(
                lambda a, r=request: (
                    a.partner_id == r.partner_id and a.company_id == r.company_id
                )
            )
            day = request.date_request or today
            covering = candidates.filtered(
                lambda a, day=day: a.period_id.date_from <= day <= a.period_id.date_to
            )
            found[request.id] = (
                covering or candidates.sorted(lambda a: a.period_id.date_from)[-1:]
            ).with_env(self.env)
        return found

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("partner_id")
    def _check_partner(self):
        for request in self:
            partner = request.partner_id
            if partner.commercial_partner_id != partner or not partner.prm_state:
                raise ValidationError(
                    self.env._(
                        "Funds are requested by program partner companies, not by %s.",
                        partner.display_name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for request in self:
            if request.date_end < request.date_start:
                raise ValidationError(
                    self.env._(
                        "The activity of %s ends before it starts.",
                        request.display_name,
                    )
                )

    @api.constrains("amount_approved", "amount_requested")
    def _check_amount_approved(self):
        for request in self:
            if (
                float_compare(
                    request.amount_approved,
                    request.amount_requested,
                    precision_rounding=request.currency_id.rounding,
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The approved amount of %s cannot exceed the requested amount.",
                        request.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------

    def _prm_is_portal(self):
        return not self.env.su and self.env.user._is_portal()

    def _prm_check_portal_values(self, vals):
        """Partners edit the activity only, never the workflow."""
        forbidden = set(vals) - PORTAL_FIELDS
        if forbidden:
            raise AccessError(
                self.env._(
                    "You cannot change %s on a fund request.",
                    ", ".join(sorted(forbidden)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        user = self.env.user
        portal = self._prm_is_portal()
        transition = self.env.context.get("prm_mdf_transition")
        for vals in vals_list:
            if portal:
                self._prm_check_portal_values(
                    {k: v for k, v in vals.items() if k not in ("partner_id",)}
                )
                partner = user._prm_portal_partner()
                if not partner or vals.get("partner_id", partner.id) != partner.id:
                    raise AccessError(
                        self.env._("You can only request funds for your company.")
                    )
                vals.update(partner_id=partner.id, requester_id=user.id)
            elif not (self.env.su or transition) and (
                vals.get("state", "draft") != "draft"
                or any(
                    vals.get(key) for key in WORKFLOW_FIELDS - {"state", "requester_id"}
                )
            ):
                raise UserError(self.env._("A fund request starts as a draft."))
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(
                    "prm.mdf.request"
                ) or self.env._("New")
        requests = super().create(vals_list)
        requests._prm_subscribe_channel_managers()
        return requests

    def write(self, vals):
        if not self.env.su and not self.env.context.get("prm_mdf_transition"):
            if self._prm_is_portal():
                self._prm_check_portal_values(vals)
                if any(r.state not in EDITABLE_STATES for r in self):
                    raise UserError(
                        self.env._(
                            "A fund request can only be changed while it is a draft "
                            "or returned to you."
                        )
                    )
            elif WORKFLOW_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "Use the buttons of the request to move it through its "
                        "workflow."
                    )
                )
            if LOCKED_FIELDS & set(vals) and any(
                r.state not in EDITABLE_STATES for r in self
            ):
                raise UserError(
                    self.env._(
                        "The partner, amount and currency of a submitted fund "
                        "request cannot change."
                    )
                )
        res = super().write(vals)
        if "partner_id" in vals:
            self._prm_subscribe_channel_managers()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if self.filtered(lambda r: r.state not in ("draft", "cancelled")):
            raise UserError(
                self.env._("Only draft or cancelled fund requests can be deleted.")
            )

    def _prm_subscribe_channel_managers(self):
        # sudo: the channel manager (a user) is not readable by partners
        for user, requests in self.sudo().grouped("user_id").items():
            if user:
                requests.message_subscribe(partner_ids=user.partner_id.ids)

    def _prm_transition(self):
        """The requests, allowed to write their workflow fields."""
        return self.with_context(prm_mdf_transition=True)

    def _prm_check_reviewer(self):
        """Only the channel team decides, on the partners it may see."""
        if self.env.su:
            return
        if not self.env.user.has_group("prm_base.group_prm_user"):
            raise AccessError(
                self.env._("Only the partner program team reviews fund requests.")
            )
        self.check_access("write")

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _prm_check_complete(self):
        self.ensure_one()
        currency = self.currency_id
        if float_compare(
            self.amount_requested, 0.0, precision_rounding=currency.rounding
        ) <= 0 or currency.is_zero(self.amount_requested_company):
            raise UserError(
                self.env._("Enter the amount requested for %s.", self.display_name)
            )
        if not (self.date_start and self.date_end):
            raise UserError(self.env._("Enter the dates of the activity."))
        if self.date_end < self.date_start:
            raise UserError(self.env._("The activity ends before it starts."))

    def action_submit(self):
        """Submit the requests: each reserves its amount on the partner's
        allocation, atomically (see ``_prm_reserve``)."""
        self.check_access("write")
        if any(r.state not in EDITABLE_STATES for r in self):
            raise UserError(
                self.env._("Only draft or returned fund requests can be submitted.")
            )
        today = fields.Date.context_today(self)
        for request in self:
            request._prm_check_complete()
            request._prm_transition().write({"date_request": today})
            allocation = request._prm_find_allocations().get(request.id)
            if not allocation:
                raise UserError(
                    self.env._(
                        "No funds are allocated to %s in an open fund period.",
                        request.partner_id.display_name,
                    )
                )
            request._prm_reserve(allocation)
            request._prm_transition().write(
                {
                    "allocation_id": allocation.id,
                    "state": "submitted",
                    "date_submitted": fields.Datetime.now(),
                    "return_reason": False,
                }
            )
            request._prm_schedule_review()
        return True

    def _prm_reserve(self, allocation):
        """Reserve the request's amount on the allocation.

        The allocation row is locked first, then its balance is read in the
        same transaction, so two submissions on one allocation never both
        pass. The lock holder also writes the row: a transaction that waited
        for the lock with a snapshot older than the holder's commit then fails
        to serialize and is retried (Odoo retries such requests), reading the
        new balance. The lock is the first statement of the submission that
        touches the allocation row (nothing is flushed before it), and its
        expected serialization failures are not logged as errors.
        """
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM prm_mdf_allocation WHERE id = %s FOR UPDATE",
                allocation.id,
            ),
            log_exceptions=False,
        )
        allocation = allocation.sudo()
        allocation.invalidate_recordset()
        if allocation.state != "active" or allocation.period_id.state != "open":
            raise UserError(
                self.env._(
                    "The allocation %s is no longer open for requests.",
                    allocation.display_name,
                )
            )
        remaining = allocation._prm_balances()[allocation.id]["remaining"]
        currency = allocation.currency_id
        if currency.compare_amounts(self.amount_requested_company, remaining) > 0:
            raise UserError(
                self.env._(
                    "%(request)s asks for %(amount)s but only %(remaining)s remain "
                    "in the allocation %(allocation)s.",
                    request=self.display_name,
                    amount=format_amount(
                        self.env, self.amount_requested_company, currency
                    ),
                    remaining=format_amount(self.env, max(remaining, 0.0), currency),
                    allocation=allocation.display_name,
                )
            )
        allocation.write({"date_last_reservation": fields.Datetime.now()})
        allocation.flush_recordset(["date_last_reservation"])

    def _prm_schedule_review(self):
        for request in self.filtered("user_id"):
            request.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review fund request %s", request.name),
                user_id=request.user_id.id,
            )

    def _prm_close_review(self):
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])

    def _prm_check_approval_limit(self, amount_company):
        """Above the company's approval limit only PRM administrators
        approve."""
        self.ensure_one()
        if self.env.su or self.env.user.has_group("prm_base.group_prm_manager"):
            return
        limit = self.company_id.prm_mdf_approval_limit
        if self.company_currency_id.compare_amounts(amount_company, limit) > 0:
            raise AccessError(
                self.env._(
                    "Only a PRM administrator can approve %(amount)s: the approval "
                    "limit is %(limit)s.",
                    amount=format_amount(
                        self.env, amount_company, self.company_currency_id
                    ),
                    limit=format_amount(self.env, limit, self.company_currency_id),
                )
            )

    def _action_approve(self, amount=None):
        """Approve the requests, for ``amount`` (request currency) or the
        requested amount."""
        self._prm_check_reviewer()
        for request in self:
            if request.state != "submitted":
                raise UserError(self.env._("Only submitted requests can be approved."))
            currency = request.currency_id
            approved = currency.round(
                request.amount_requested if amount is None else amount
            )
            if currency.compare_amounts(approved, 0.0) <= 0:
                raise UserError(
                    self.env._("Approve a positive amount, or reject the request.")
                )
            if currency.compare_amounts(approved, request.amount_requested) > 0:
                raise UserError(
                    self.env._(
                        "%(request)s cannot be approved for more than the "
                        "%(amount)s requested.",
                        request=request.display_name,
                        amount=format_amount(
                            self.env, request.amount_requested, currency
                        ),
                    )
                )
            request._prm_check_approval_limit(
                request.company_currency_id.round(approved * request.currency_rate)
            )
            request._prm_transition().write(
                {
                    "state": "approved",
                    "amount_approved": approved,
                    "approver_id": self.env.uid,
                    "date_decided": fields.Datetime.now(),
                }
            )
        self._prm_close_review()
        self._prm_send_template("mail_template_request_approved")
        return True

    def _action_return(self, reason):
        """Send the requests back to the partner for more information."""
        self._prm_check_reviewer()
        if not (reason or "").strip():
            raise UserError(self.env._("Tell the partner what is missing."))
        if any(r.state != "submitted" for r in self):
            raise UserError(self.env._("Only submitted requests can be returned."))
        self._prm_transition().write(
            {
                "state": "returned",
                "return_reason": reason.strip(),
                "approver_id": self.env.uid,
                "date_decided": fields.Datetime.now(),
            }
        )
        self._prm_close_review()
        self._prm_send_template("mail_template_request_returned")
        return True

    def _action_reject(self, reason):
        self._prm_check_reviewer()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the rejection."))
        if any(r.state not in ("submitted", "returned") for r in self):
            raise UserError(
                self.env._("Only submitted or returned requests can be rejected.")
            )
        self._prm_transition().write(
            {
                "state": "rejected",
                "reject_reason": reason.strip(),
                "approver_id": self.env.uid,
                "date_decided": fields.Datetime.now(),
            }
        )
        self._prm_close_review()
        self._prm_send_template("mail_template_request_rejected")
        return True

    def action_cancel(self):
        """Withdraw the requests; their reserved funds are released."""
        self.check_access("write")
        allowed = ("draft", "returned", "submitted")
        if not self._prm_is_portal():
            allowed += ("approved",)
        if any(r.state not in allowed for r in self):
            raise UserError(
                self.env._(
                    "This fund request can no longer be cancelled: it is decided or "
                    "claimed."
                )
            )
        self._prm_transition().write({"state": "cancelled"})
        self._prm_close_review()
        return True

    def action_reset_draft(self):
        self.check_access("write")
        if any(r.state not in ("cancelled", "returned") for r in self):
            raise UserError(
                self.env._("Only cancelled or returned requests go back to draft.")
            )
        self._prm_transition().write({"state": "draft"})
        return True

    def _prm_open_decision(self, decision):
        self._prm_check_reviewer()
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Decide on %s", self.display_name),
            "res_model": "prm.mdf.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_request_id": self.id,
                "default_decision": decision,
            },
        }

    def action_open_approve(self):
        return self._prm_open_decision("approve")

    def action_open_return(self):
        return self._prm_open_decision("return")

    def action_open_reject(self):
        return self._prm_open_decision("reject")

    @api.model
    def _prm_cancel_unclaimed(self):
        """Cancel the approved requests whose claim deadline passed without a
        claim: their funds go back to the allocation."""
        today = fields.Date.context_today(self)
        overdue = self.search(
            [("state", "=", "approved"), ("claim_deadline", "<", today)]
        )
        if overdue:
            overdue._prm_transition().write({"state": "cancelled"})
            for request in overdue:
                request.message_post(
                    body=self.env._(
                        "The claim deadline (%s) passed without a claim: the "
                        "request is cancelled and its funds released.",
                        request.claim_deadline,
                    )
                )
        return overdue

    # ------------------------------------------------------------------
    # Mail and navigation
    # ------------------------------------------------------------------

    def _prm_mail_partner_ids(self):
        """Who a partner-facing mail goes to: the partner's user who made the
        request, or the partner company."""
        self.ensure_one()
        requester = self.requester_id
        if requester and requester.share:
            return str(requester.partner_id.id)
        return str(self.partner_id.id)

    def _prm_send_template(self, xmlid):
        template = self.env.ref(f"prm_mdf.{xmlid}", raise_if_not_found=False)
        if not template or not self:
            return
        # a comment: partners read the decision in the portal chatter too
        self.sudo().message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def _prm_portal_message(self, body, attachments=None):
        """Post what the partner sent from the portal (e.g. its files)."""
        self.ensure_one()
        return self.sudo().message_post(
            body=Markup("<p>%s</p>") % body,
            attachment_ids=attachments.ids if attachments else [],
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_mdf.prm_mdf_claim_action"
        )
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {"default_request_id": self.id}
        return action

    def action_view_leads(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Leads of %s", self.campaign_id.name),
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "domain": [("campaign_id", "=", self.campaign_id.id)],
            "context": {"active_test": False},
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.name.replace("/", "_")
