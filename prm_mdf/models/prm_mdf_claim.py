# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_amount

# Payment states of the bill (or credit note) that make the claim paid.
PAID_STATES = ("paid", "in_payment")
# Claims that hold (part of) the funds of their request.
ACTIVE_STATES = ("draft", "submitted", "approved", "paid")
PORTAL_FIELDS = frozenset(
    {"request_id", "amount", "description", "proof_attachment_ids"}
)
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "date_submitted",
        "date_decided",
        "reviewer_id",
        "reject_reason",
        "move_id",
        "requester_id",
    }
)


class PrmMdfClaim(models.Model):
    """The partner's claim of approved funds: actual spend with proof of
    performance; its approval creates the vendor bill (or credit note)."""

    _name = "prm.mdf.claim"
    _description = "Fund Claim"
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
    request_id = fields.Many2one(
        "prm.mdf.request",
        string="Fund Request",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="request_id.partner_id", store=True, index=True, string="Partner"
    )
    allocation_id = fields.Many2one(
        related="request_id.allocation_id", store=True, index=True
    )
    period_id = fields.Many2one(related="request_id.period_id", store=True)
    company_id = fields.Many2one(
        related="request_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="request_id.currency_id")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    user_id = fields.Many2one(related="request_id.user_id", store=True)
    requester_id = fields.Many2one(
        "res.users",
        string="Claimed By",
        readonly=True,
        copy=False,
        index="btree_not_null",
        default=lambda self: self.env.user,
    )
    description = fields.Text(string="Performance Report")
    amount = fields.Monetary(string="Actual Spend", tracking=True)
    amount_company = fields.Monetary(
        string="Actual Spend (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
    )
    amount_approved = fields.Monetary(related="request_id.amount_approved")
    proof_attachment_ids = fields.Many2many(
        "ir.attachment",
        "prm_mdf_claim_proof_rel",
        "claim_id",
        "attachment_id",
        string="Proof of Performance",
        help="Invoices, photos, screenshots, attendee lists: what shows the "
        "activity took place.",
    )
    claim_deadline = fields.Date(related="request_id.claim_deadline")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("paid", "Paid"),
            ("rejected", "Rejected"),
        ],
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
    reviewer_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False
    )
    reject_reason = fields.Text(
        string="Rejection Reason", readonly=True, copy=False, tracking=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Bill / Credit Note",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        tracking=True,
    )
    payment_state = fields.Selection(
        related="move_id.payment_state", string="Payment Status"
    )

    _sql_constraints = [
        (
            "move_unique",
            "UNIQUE(move_id)",
            "A bill or credit note pays a single claim.",
        ),
        ("amount_positive", "CHECK(amount >= 0)", "The spend cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends(
        "amount",
        "request_id.currency_rate",
        "move_id.state",
        "move_id.amount_untaxed_signed",
    )
    def _compute_amount_company(self):
        """At the request's rate until the claim is billed; then what the
        bill (or credit note) costs the company, at the rate of its date."""
        for claim in self:
            currency = claim.company_id.currency_id or self.env.company.currency_id
            move = claim.move_id
            if move and move.state != "cancel":
                claim.amount_company = currency.round(abs(move.amount_untaxed_signed))
            else:
                claim.amount_company = currency.round(
                    claim.amount * claim.request_id.currency_rate
                )

    @api.depends("move_id.payment_state", "move_id.state")
    def _compute_state(self):
        """Paid follows the bill (or credit note): paid or in payment."""
        for claim in self:
            move = claim.move_id
            if move.state == "posted" and move.payment_state in PAID_STATES:
                claim.state = "paid"
            elif claim.state == "paid":
                claim.state = "approved"
            else:
                claim.state = claim.state or "draft"

    def _compute_access_url(self):
        super()._compute_access_url()
        for claim in self:
            claim.access_url = (
                f"/my/funds/request/{claim.request_id.id}#prm_claim_{claim.id}"
            )

    @api.constrains("amount", "request_id")
    def _check_amount(self):
        for claim in self:
            request = claim.request_id
            currency = request.currency_id
            if currency.compare_amounts(claim.amount, request.amount_approved) > 0:
                raise ValidationError(
                    self.env._(
                        "The claimed spend (%(amount)s) cannot exceed the approved "
                        "amount (%(approved)s).",
                        amount=format_amount(self.env, claim.amount, currency),
                        approved=format_amount(
                            self.env, request.amount_approved, currency
                        ),
                    )
                )

    @api.constrains("request_id", "state")
    def _check_one_claim(self):
        """A request is claimed once (a rejected claim can be replaced)."""
        for request in self.request_id:
            active = request.claim_ids.filtered(lambda c: c.state in ACTIVE_STATES)
            if len(active) > 1:
                raise ValidationError(
                    self.env._(
                        "%s is already claimed: complete or replace the existing "
                        "claim.",
                        request.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------

    def _prm_is_portal(self):
        return not self.env.su and self.env.user._is_portal()

    @api.model_create_multi
    def create(self, vals_list):
        portal = self._prm_is_portal()
        transition = self.env.context.get("prm_mdf_transition")
        for vals in vals_list:
            if portal:
                forbidden = set(vals) - PORTAL_FIELDS
                if forbidden:
                    raise AccessError(
                        self.env._(
                            "You cannot set %s on a fund claim.",
                            ", ".join(sorted(forbidden)),
                        )
                    )
                vals["requester_id"] = self.env.user.id
            elif not (self.env.su or transition) and (
                vals.get("state", "draft") != "draft"
                or any(vals.get(key) for key in WORKFLOW_FIELDS - {"requester_id"})
            ):
                raise UserError(self.env._("A fund claim starts as a draft."))
            request = self.env["prm.mdf.request"].browse(vals.get("request_id"))
            # the request must be readable by the user (record rules)
            request.check_access("read")
            if request.state != "approved":
                raise UserError(
                    self.env._(
                        "Only approved fund requests can be claimed (%s is not).",
                        request.display_name,
                    )
                )
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(
                    "prm.mdf.claim"
                ) or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and not self.env.context.get("prm_mdf_transition"):
            if self._prm_is_portal():
                forbidden = set(vals) - (PORTAL_FIELDS - {"request_id"})
                if forbidden:
                    raise AccessError(
                        self.env._(
                            "You cannot change %s on a fund claim.",
                            ", ".join(sorted(forbidden)),
                        )
                    )
            elif WORKFLOW_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "Use the buttons of the claim to move it through its workflow."
                    )
                )
            if any(c.state != "draft" for c in self) and (
                {"amount", "request_id", "proof_attachment_ids"} & set(vals)
            ):
                raise UserError(
                    self.env._("A submitted claim cannot change; reject it instead.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if self.filtered(lambda c: c.state not in ("draft", "rejected")):
            raise UserError(
                self.env._("Only draft or rejected fund claims can be deleted.")
            )

    def _prm_transition(self):
        return self.with_context(prm_mdf_transition=True)

    def _prm_check_reviewer(self):
        if self.env.su:
            return
        if not self.env.user.has_group("prm_base.group_prm_user"):
            raise AccessError(
                self.env._("Only the partner program team reviews fund claims.")
            )
        self.check_access("write")

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def action_submit(self):
        """Submit the claims: within the deadline, the approved amount, with
        proof of performance."""
        self.check_access("write")
        today = fields.Date.context_today(self)
        for claim in self:
            request = claim.request_id
            if claim.state != "draft":
                raise UserError(self.env._("Only draft claims can be submitted."))
            if request.state != "approved":
                raise UserError(
                    self.env._(
                        "%s is not approved: it cannot be claimed.",
                        request.display_name,
                    )
                )
            if request.claim_deadline and today > request.claim_deadline:
                raise UserError(
                    self.env._(
                        "The claim deadline of %(request)s passed on %(date)s.",
                        request=request.display_name,
                        date=request.claim_deadline,
                    )
                )
            if claim.currency_id.compare_amounts(claim.amount, 0.0) <= 0:
                raise UserError(self.env._("Enter the amount actually spent."))
            if not claim.sudo().proof_attachment_ids:
                raise UserError(
                    self.env._(
                        "Attach the proof of performance (invoices, photos, "
                        "reports) before submitting the claim."
                    )
                )
        self._prm_transition().write(
            {"state": "submitted", "date_submitted": fields.Datetime.now()}
        )
        for claim in self.filtered("user_id"):
            claim.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review fund claim %s", claim.name),
                user_id=claim.user_id.id,
            )
        return True

    def _prm_lock(self):
        """Lock the claim rows: concurrent approvals wait, then fail."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM prm_mdf_claim WHERE id = ANY(%s) FOR UPDATE",
                self.ids,
            ),
            log_exceptions=False,
        )
        self.invalidate_recordset(["state", "move_id"])

    def action_approve(self):
        """Approve the claims and create the bill (or credit note) paying
        each: a claim is paid once."""
        self._prm_check_reviewer()
        self._prm_lock()
        if any(c.state != "submitted" or c.sudo().move_id for c in self):
            raise UserError(
                self.env._(
                    "Only submitted claims can be approved; an approved claim "
                    "already has its bill."
                )
            )
        self._prm_transition().write(
            {
                "state": "approved",
                "reviewer_id": self.env.uid,
                "date_decided": fields.Datetime.now(),
            }
        )
        self._prm_create_moves()
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        self._prm_send_template("mail_template_claim_approved")
        return True

    def action_create_move(self):
        """Create the missing bill of approved claims (e.g. after the bill was
        deleted)."""
        self._prm_check_reviewer()
        self._prm_lock()
        if any(c.state != "approved" or c.sudo().move_id for c in self):
            raise UserError(
                self.env._("Only approved claims without a bill get a new one.")
            )
        self._prm_create_moves()
        return True

    def _action_reject(self, reason):
        self._prm_check_reviewer()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the rejection."))
        if any(c.state != "submitted" for c in self):
            raise UserError(self.env._("Only submitted claims can be rejected."))
        self._prm_transition().write(
            {
                "state": "rejected",
                "reject_reason": reason.strip(),
                "reviewer_id": self.env.uid,
                "date_decided": fields.Datetime.now(),
            }
        )
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        self._prm_send_template("mail_template_claim_rejected")
        return True

    def action_open_reject(self):
        self._prm_check_reviewer()
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject %s", self.name),
            "res_model": "prm.mdf.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_claim_id": self.id, "default_decision": "reject"},
        }

    # ------------------------------------------------------------------
    # Accounting
    # ------------------------------------------------------------------

    def _prm_analytic_distribution(self):
        self.ensure_one()
        account = (
            self.request_id.analytic_account_id
            or self.company_id.prm_mdf_analytic_account_id
        )
        return {str(account.id): 100.0} if account else False

    def _prepare_move_line_vals(self):
        """The line paying the claim, in the currency of the claim: the
        accounting converts it at the rate of the bill date."""
        self.ensure_one()
        request = self.request_id
        return {
            "name": self.env._(
                "Market development funds %(claim)s: %(activity)s (%(request)s)",
                claim=self.name,
                activity=request.title,
                request=request.name,
            ),
            "quantity": 1.0,
            "price_unit": self.currency_id.round(self.amount),
            "account_id": self.company_id._prm_mdf_expense_account().id,
            "analytic_distribution": self._prm_analytic_distribution(),
            "tax_ids": [Command.set([])],
        }

    def _prepare_move_vals(self, move_type):
        self.ensure_one()
        return {
            "move_type": move_type,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "ref": self.name,
            "invoice_origin": self.request_id.name,
            "invoice_line_ids": [Command.create(self._prepare_move_line_vals())],
        }

    def _prepare_vendor_bill_vals(self):
        """Values of the vendor bill paying the claim (extension hook)."""
        vals = self._prepare_move_vals("in_invoice")
        vals["journal_id"] = self.company_id._prm_mdf_journal().id
        return vals

    def _prepare_credit_note_vals(self):
        """Values of the credit note paying the claim on the partner's
        customer account (extension hook). It is not revenue: no channel
        partner attribution."""
        vals = self._prepare_move_vals("out_refund")
        vals["prm_channel_partner_id"] = False
        vals["prm_revenue_excluded"] = True
        return vals

    def _prm_create_moves(self):
        """One bill or credit note per claim, created in one batch per
        company (as superuser: channel managers approve, accountants pay)."""
        moves = self.env["account.move"]
        for company, claims in self.grouped("company_id").items():
            credit_note = company.prm_mdf_payment_mode == "credit_note"
            vals_list = [
                claim._prepare_credit_note_vals()
                if credit_note
                else claim._prepare_vendor_bill_vals()
                for claim in claims
            ]
            company_moves = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .with_context(default_company_id=company.id)
                .create(vals_list)
            )
            for claim, move in zip(claims, company_moves, strict=True):
                claim._prm_transition().sudo().write({"move_id": move.id})
                claim.sudo().message_post(
                    body=Markup("%s ") % self.env._("Payment prepared:")
                    + move._get_html_link()
                )
            moves |= company_moves
        return moves

    def action_view_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _prm_mail_partner_ids(self):
        self.ensure_one()
        requester = self.requester_id
        if requester and requester.share:
            return str(requester.partner_id.id)
        return self.request_id._prm_mail_partner_ids()

    def _prm_send_template(self, xmlid):
        template = self.env.ref(f"prm_mdf.{xmlid}", raise_if_not_found=False)
        if not template or not self:
            return
        # a comment: partners read the decision in the portal chatter too
        self.sudo().message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def _prm_portal_message(self, body, attachments=None):
        self.ensure_one()
        return self.sudo().message_post(
            body=Markup("<p>%s</p>") % body,
            attachment_ids=attachments.ids if attachments else [],
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
