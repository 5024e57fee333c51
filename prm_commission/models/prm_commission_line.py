# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.prm_base.tools import insert_rows

from .prm_commission_rule import DEAL_ORIGINS

LINE_STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("billed", "Billed"),
    ("paid", "Paid"),
]
LINE_KINDS = [
    ("invoice", "Invoice"),
    ("refund", "Credit Note"),
    ("reversal", "Reversal"),
    ("trueup", "True-up"),
    ("adjustment", "Adjustment"),
]
DISPUTE_STATES = [
    ("open", "Open"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
]
STATEMENT_TO_LINE_STATE = {"approved": "approved", "billed": "billed", "paid": "paid"}
# Fields the engine sets at creation; nobody changes them afterwards.
AMOUNT_FIELDS = {
    "partner_id",
    "company_id",
    "currency_id",
    "move_id",
    "invoice_line_id",
    "rule_id",
    "plan_id",
    "base",
    "rate",
    "amount",
    "amount_company",
    "kind",
}
DISPUTE_FIELDS = {
    "dispute_state",
    "dispute_reason",
    "dispute_date",
    "dispute_deadline",
    "dispute_user_id",
    "dispute_resolution",
}

# longest reason a partner may give for a dispute
DISPUTE_REASON_LIMIT = 2000


class PrmCommissionLine(models.Model):
    _name = "prm.commission.line"
    _description = "Commission Line"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "move_name"]

    name = fields.Char(string="Description", required=True)
    date = fields.Date(
        required=True,
        index=True,
        default=fields.Date.context_today,
        help="Date the commission was earned (or taken back): it decides the "
        "statement period.",
    )
    kind = fields.Selection(LINE_KINDS, required=True, default="adjustment")
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        domain=[("prm_state", "!=", False)],
    )
    grade_id = fields.Many2one(
        "res.partner.grade",
        string="Tier",
        help="Tier of the partner when the line was created.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Currency of the source invoice.",
    )
    # Source
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    move_name = fields.Char(related="move_id.name", string="Invoice Number", store=True)
    invoice_date = fields.Date(
        related="move_id.invoice_date", string="Invoice Date", store=True
    )
    invoice_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice Line",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    product_categ_id = fields.Many2one(
        related="product_id.categ_id",
        string="Product Category",
        store=True,
        precompute=True,
    )
    deal_origin = fields.Selection(DEAL_ORIGINS, readonly=True)
    plan_id = fields.Many2one("prm.commission.plan", string="Plan", readonly=True)
    rule_id = fields.Many2one(
        "prm.commission.rule", string="Rule", index="btree_not_null", readonly=True
    )
    rate_type = fields.Selection(related="rule_id.rate_type")
    period_start = fields.Date(
        string="True-up Period", help="Start of the volume period a true-up settles."
    )
    # Amounts
    base = fields.Monetary(
        string="Base",
        help="Untaxed amount (or margin) of the invoice line this line pays on, "
        "in the invoice currency.",
    )
    rate = fields.Float(
        digits=(16, 4),
        help="Percentage applied, or amount per unit for fixed-amount rules.",
    )
    paid_share = fields.Float(
        string="Paid (%)",
        digits=(16, 2),
        help="Share of the invoice paid when the line was released (plans "
        "triggered by payment).",
    )
    amount = fields.Monetary(string="Commission", required=True)
    amount_company = fields.Monetary(
        string="Commission (Company Currency)",
        currency_field="company_currency_id",
        required=True,
        help="Converted at the rate of the invoice date.",
    )
    reversed_line_id = fields.Many2one(
        "prm.commission.line",
        string="Reverses",
        index="btree_not_null",
        readonly=True,
        help="Line this reversal or adjustment takes back or corrects.",
    )
    # Statement
    statement_id = fields.Many2one(
        "prm.commission.statement",
        string="Statement",
        index=True,
        ondelete="set null",
        copy=False,
        check_company=True,
    )
    state = fields.Selection(
        LINE_STATES,
        compute="_compute_state",
        store=True,
        precompute=True,
        index=True,
        help="Pending until the line's statement is approved, then follows it.",
    )
    # Dispute
    dispute_state = fields.Selection(DISPUTE_STATES, string="Dispute", copy=False)
    dispute_reason = fields.Text(string="Dispute Reason", copy=False)
    dispute_date = fields.Date(string="Disputed On", copy=False)
    dispute_deadline = fields.Date(
        string="Answer Dispute By",
        copy=False,
        help="The channel team answers the partner's dispute by this date.",
    )
    dispute_user_id = fields.Many2one("res.users", string="Disputed By", copy=False)
    dispute_resolution = fields.Text(string="Resolution", copy=False)
    dispute_overdue = fields.Boolean(
        string="Dispute Overdue",
        compute="_compute_dispute_overdue",
        search="_search_dispute_overdue",
    )

    @api.depends("statement_id.state")
    def _compute_state(self):
        for line in self:
            line.state = STATEMENT_TO_LINE_STATE.get(line.statement_id.state, "pending")

    @api.depends("dispute_state", "dispute_deadline")
    def _compute_dispute_overdue(self):
        today = fields.Date.context_today(self)
        for line in self:
            line.dispute_overdue = bool(
                line.dispute_state == "open"
                and line.dispute_deadline
                and line.dispute_deadline < today
            )

    def _search_dispute_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue disputes."))
        domain = [
            ("dispute_state", "=", "open"),
            ("dispute_deadline", "<", fields.Date.context_today(self)),
        ]
        if (operator == "=") != value:
            return ["!", *domain]
        return domain

    # ------------------------------------------------------------------
    # CRUD: lines are an audit trail
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("kind", "adjustment") == "adjustment":
                vals.setdefault("amount_company", vals.get("amount", 0.0))
        return super().create(vals_list)

    @api.model
    def _prm_insert(self, vals_list):
        """Create the engine's lines with one ``INSERT``.

        Posting invoices in bulk creates lines by the hundred thousand, where
        the ORM's ``create`` would cost more than the computation itself. The
        values are column values; the stored related fields (invoice number
        and date, product category) are read once per invoice and product,
        and ``state`` is pending (no statement yet).
        """
        if not vals_list:
            return self.browse()
        self.check_access("create")
        self.env.cr.execute(
            SQL(
                "SELECT id, name, invoice_date FROM account_move WHERE id = ANY(%s)",
                list({vals["move_id"] for vals in vals_list}),
            )
        )
        moves = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
                SELECT pp.id, pt.categ_id
                  FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE pp.id = ANY(%s)
                """,
                list({vals["product_id"] for vals in vals_list} - {False, None}),
            )
        )
        categories = dict(self.env.cr.fetchall())
        for vals in vals_list:
            vals["move_name"], vals["invoice_date"] = moves[vals["move_id"]]
            vals["product_categ_id"] = categories.get(vals["product_id"])
            vals["state"] = "pending"
        return insert_rows(self, vals_list, converted=True)

    def write(self, vals):
        if not self.env.su and set(vals) & AMOUNT_FIELDS:
            frozen = self.filtered(lambda line: line.kind != "adjustment")
            frozen |= self.filtered(lambda line: line.state != "pending")
            if frozen:
                raise UserError(
                    self.env._(
                        "Commission lines computed from invoices, or already "
                        "approved, cannot be changed: add an adjustment line "
                        "instead."
                    )
                )
        if vals.get("statement_id"):
            taken = self.filtered(
                lambda line: (
                    line.statement_id and line.statement_id.id != vals["statement_id"]
                )
            )
            if taken:
                raise UserError(
                    self.env._(
                        "A commission line belongs to one statement only: "
                        "%(lines)s already belong to %(statements)s.",
                        lines=", ".join(taken.mapped("name")),
                        statements=", ".join(taken.statement_id.mapped("name")),
                    )
                )
        elif "statement_id" in vals:
            locked = self.statement_id.filtered(
                lambda st: st.state not in ("draft", "cancel")
            )
            if locked:
                raise UserError(
                    self.env._(
                        "Lines of approved statements cannot be removed from them."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_pending_adjustments(self):
        if self.filtered(
            lambda line: (
                line.kind != "adjustment"
                or line.state != "pending"
                or line.statement_id
            )
        ):
            raise UserError(
                self.env._(
                    "Only pending adjustment lines outside of a statement can be "
                    "deleted; commission lines computed from invoices are kept as "
                    "an audit trail."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_invoice(self):
        self.ensure_one()
        return self.move_id._get_records_action()

    def action_remove_from_statement(self):
        self.write({"statement_id": False})
        return True

    def action_resolve_dispute(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_commission.prm_commission_dispute_wizard_action"
        )
        action["context"] = {"default_line_id": self[:1].id}
        return action

    # ------------------------------------------------------------------
    # Disputes
    # ------------------------------------------------------------------

    def _prm_check_disputable(self):
        for line in self:
            if line.dispute_state == "open":
                raise UserError(self.env._("This commission line is already disputed."))
            if line.state not in ("pending", "approved"):
                raise UserError(
                    self.env._(
                        "Billed or paid commission lines cannot be disputed any "
                        "more; contact your channel manager."
                    )
                )

    def _prm_portal_dispute(self, reason, user):
        """Record a partner's dispute raised in the portal.

        The caller checked that ``user`` may read the line (record rules); the
        dispute fields are then written with sudo, nothing else.
        """
        self.ensure_one()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Tell us why you dispute this line."))
        if len(reason) > DISPUTE_REASON_LIMIT:
            raise UserError(
                self.env._("Keep the reason under %s characters.", DISPUTE_REASON_LIMIT)
            )
        self._prm_check_disputable()
        line = self.sudo()
        today = fields.Date.context_today(self)
        deadline = today + timedelta(days=line.company_id.prm_commission_dispute_days)
        line.write(
            {
                "dispute_state": "open",
                "dispute_reason": reason,
                "dispute_date": today,
                "dispute_deadline": deadline,
                "dispute_user_id": user.id,
                "dispute_resolution": False,
            }
        )
        body = Markup("%s<br/>%s") % (
            self.env._(
                "%(user)s disputes the line %(line)s:", user=user.name, line=line.name
            ),
            reason,
        )
        document = line.statement_id or line.partner_id
        document.message_post(body=body, author_id=user.partner_id.id)
        manager = line.partner_id.prm_channel_manager_id
        if manager and line.statement_id:
            line.statement_id.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=deadline,
                summary=self.env._("Answer the commission dispute"),
                note=reason,
                user_id=manager.id,
            )
        return True

    def _prm_resolve_dispute(self, accepted, resolution, adjustment=0.0):
        """Close the open dispute; an accepted one may come with an adjustment
        line (company currency) that goes into the partner's next statement."""
        self.ensure_one()
        if self.dispute_state != "open":
            raise UserError(self.env._("This line has no open dispute."))
        self.write(
            {
                "dispute_state": "accepted" if accepted else "rejected",
                "dispute_resolution": resolution,
            }
        )
        currency = self.company_currency_id
        new_line = self.browse()
        if accepted and not currency.is_zero(adjustment):
            new_line = self.create(
                {
                    "name": self.env._("Dispute adjustment: %s", self.name),
                    "kind": "adjustment",
                    "partner_id": self.partner_id.id,
                    "grade_id": self.partner_id.grade_id.id,
                    "company_id": self.company_id.id,
                    "currency_id": currency.id,
                    "move_id": self.move_id.id,
                    "product_id": self.product_id.id,
                    "plan_id": self.plan_id.id,
                    "rule_id": self.rule_id.id,
                    "amount": currency.round(adjustment),
                    "amount_company": currency.round(adjustment),
                    "reversed_line_id": self.id,
                }
            )
        self.statement_id.activity_feedback(
            ["mail.mail_activity_data_todo"], feedback=resolution or ""
        )
        template = self.env.ref(
            "prm_commission.mail_template_dispute_resolved", raise_if_not_found=False
        )
        if template:
            template.send_mail(self.id)
        return new_line
