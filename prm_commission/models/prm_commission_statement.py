# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, date_utils

from .prm_commission_plan import period_bounds

STATEMENT_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("billed", "Billed"),
    ("paid", "Paid"),
    ("cancel", "Cancelled"),
]
PAID_STATES = ("paid", "in_payment")


class PrmCommissionStatement(models.Model):
    _name = "prm.commission.statement"
    _description = "Commission Statement"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        tracking=True,
        domain=[("prm_state", "!=", False)],
    )
    grade_id = fields.Many2one(
        related="partner_id.grade_id", string="Tier", store=True, index=True
    )
    channel_manager_id = fields.Many2one(
        related="partner_id.prm_channel_manager_id", string="Channel Manager"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        related="company_id.currency_id", string="Currency", store=True
    )
    date_from = fields.Date(string="Period Start", required=True)
    date_to = fields.Date(string="Period End", required=True, index=True)
    line_ids = fields.One2many(
        "prm.commission.line", "statement_id", string="Commission Lines"
    )
    line_count = fields.Integer(compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amounts", store=True, tracking=True
    )
    dispute_count = fields.Integer(
        string="Open Disputes", compute="_compute_dispute_count"
    )
    state = fields.Selection(
        STATEMENT_STATES,
        compute="_compute_state",
        store=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="Draft: lines can still change. Approved: ready to bill. Billed: a "
        "vendor bill exists. Paid: the vendor bill is paid.",
    )
    approved_date = fields.Date(readonly=True, copy=False)
    approved_user_id = fields.Many2one("res.users", readonly=True, copy=False)
    bill_id = fields.Many2one(
        "account.move",
        string="Vendor Bill",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    bill_payment_state = fields.Selection(
        related="bill_id.payment_state", string="Bill Payment Status"
    )
    note = fields.Html(string="Notes")

    _sql_constraints = [
        (
            "dates_ordered",
            "CHECK(date_from <= date_to)",
            "A statement period cannot end before it starts.",
        ),
    ]

    @api.depends("line_ids.amount_company")
    def _compute_amounts(self):
        for statement in self:
            statement.line_count = len(statement.line_ids)
            statement.amount_total = statement.currency_id.round(
                sum(statement.line_ids.mapped("amount_company"))
            )

    def _compute_dispute_count(self):
        data = dict(
            self.env["prm.commission.line"]._read_group(
                [("statement_id", "in", self.ids), ("dispute_state", "=", "open")],
                ["statement_id"],
                ["__count"],
            )
        )
        for statement in self:
            statement.dispute_count = data.get(statement, 0)

    @api.depends("bill_id.payment_state", "bill_id.state")
    def _compute_state(self):
        """Paid follows the payment state of the vendor bill."""
        for statement in self:
            bill = statement.bill_id
            state = statement.state or "draft"
            if bill and bill.state == "posted" and bill.payment_state in PAID_STATES:
                state = "paid"
            elif bill and bill.state == "cancel" and state in ("billed", "paid"):
                state = "approved"
            elif bill and state == "paid":
                state = "billed"
            statement.state = state

    def _compute_access_url(self):
        super()._compute_access_url()
        for statement in self:
            statement.access_url = f"/my/commissions/{statement.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Commission Statement %s", self.name)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "prm.commission.statement"
                ) or self.env._("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if self.filtered(lambda st: st.state not in ("draft", "cancel")):
            raise UserError(
                self.env._("Only draft or cancelled statements can be deleted.")
            )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _prm_check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "prm_base.group_prm_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only PRM administrators can approve, cancel or generate "
                    "commission statements."
                )
            )

    def _prm_write_state(self, vals):
        """The state is computed from the bill; workflow buttons set it here."""
        return self.write(vals)

    def action_approve(self):
        self._prm_check_manager()
        for statement in self:
            if statement.state != "draft":
                raise UserError(self.env._("Only draft statements can be approved."))
            if not statement.line_ids:
                raise UserError(self.env._("Statement %s has no line.", statement.name))
            if statement.dispute_count:
                raise UserError(
                    self.env._(
                        "Statement %s has open disputes: resolve them, or remove "
                        "the disputed lines, before approving it.",
                        statement.name,
                    )
                )
        self._prm_write_state(
            {
                "state": "approved",
                "approved_date": fields.Date.context_today(self),
                "approved_user_id": self.env.user.id,
            }
        )
        template = self.env.ref(
            "prm_commission.mail_template_statement_approved",
            raise_if_not_found=False,
        )
        if template:
            for statement in self:
                statement.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )
        return True

    def action_reset_draft(self):
        self._prm_check_manager()
        if self.filtered(lambda st: st.state not in ("approved", "cancel")):
            raise UserError(
                self.env._(
                    "Only approved or cancelled statements without a bill "
                    "can go back to draft."
                )
            )
        self._prm_write_state(
            {"state": "draft", "approved_date": False, "approved_user_id": False}
        )
        return True

    def action_cancel(self):
        self._prm_check_manager()
        if self.filtered(lambda st: st.state not in ("draft", "approved")):
            raise UserError(
                self.env._("Billed or paid statements cannot be cancelled.")
            )
        self._prm_write_state({"state": "cancel"})
        self.line_ids.write({"statement_id": False})
        return True

    def action_view_bill(self):
        self.ensure_one()
        return self.bill_id._get_records_action(name=self.env._("Vendor Bill"))

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_commission.prm_commission_line_action"
        )
        action["domain"] = [("statement_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Vendor bills
    # ------------------------------------------------------------------

    def _prm_lock_for_billing(self):
        """Lock the statement rows and re-read them, so that two users billing
        the same statements at once create one bill: the second waits for the
        first transaction, then sees the statements billed."""
        self.flush_recordset(["state", "bill_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM prm_commission_statement WHERE id IN %s FOR UPDATE",
                tuple(self.ids),
            ),
            # a concurrent billing makes this fail with a serialization error:
            # expected, the request is retried and then sees the bill
            log_exceptions=False,
        )
        self.invalidate_recordset(["state", "bill_id"])

    def action_create_bill(self):
        """Create the vendor bills of approved statements, in one batch."""
        if not self:
            return False
        if not self.env.su and not self.env.user.has_group(
            "account.group_account_invoice"
        ):
            raise AccessError(
                self.env._("Only invoicing users can bill commission statements.")
            )
        self._prm_lock_for_billing()
        not_ready = self.filtered(
            lambda st: (
                st.state != "approved" or (st.bill_id and st.bill_id.state != "cancel")
            )
        )
        if not_ready:
            raise UserError(
                self.env._(
                    "Only approved statements without a bill can be billed; "
                    "%(names)s already have a bill or are not approved.",
                    names=", ".join(not_ready.mapped("name")),
                )
            )
        bills = self.env["account.move"]
        # each company's bills in its own journals, accounts and currency
        for company, statements in self.grouped("company_id").items():
            statements = statements.with_company(company)
            vals_list = [st._prepare_vendor_bill_vals() for st in statements]
            company_bills = (
                self.env["account.move"]
                .with_company(company)
                .with_context(default_company_id=company.id)
                .create(vals_list)
            )
            for statement, bill in zip(statements, company_bills, strict=True):
                statement._prm_write_state({"bill_id": bill.id, "state": "billed"})
            bills |= company_bills.with_env(self.env)
        return bills

    def action_bill_approved(self):
        """List action: bill the approved statements among the selected ones."""
        bills = self.filtered(lambda st: st.state == "approved").action_create_bill()
        if not bills:
            raise UserError(self.env._("Select approved statements to bill."))
        return bills._get_records_action(name=self.env._("Commission Bills"))

    def _prm_commission_product(self):
        self.ensure_one()
        product = self.company_id.prm_commission_product_id or self.env.ref(
            "prm_commission.product_partner_commission", raise_if_not_found=False
        )
        if not product:
            raise UserError(
                self.env._(
                    "Set the commission product in the Partner Program settings."
                )
            )
        return product

    def _prepare_vendor_bill_line_vals(self, sign):
        """One bill line per rule (and one for manual adjustments)."""
        self.ensure_one()
        product = self._prm_commission_product()
        account = self.company_id.prm_commission_account_id
        groups = defaultdict(float)
        for line in self.line_ids:
            key = (line.rule_id, line.kind in ("trueup", "adjustment") and line.kind)
            groups[key] += line.amount_company
        labels = dict(
            self.env["prm.commission.line"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        period = f"{self.date_from} - {self.date_to}"
        vals_list = []
        for (rule, kind), amount in sorted(
            groups.items(), key=lambda item: (item[0][0].sequence, item[0][0].id)
        ):
            if self.currency_id.is_zero(amount):
                continue
            label = rule.name or self.env._("Commission")
            if kind:
                label = f"{labels[kind]}: {label}"
            vals = {
                "product_id": product.id,
                "name": self.env._(
                    "%(statement)s - %(label)s (%(period)s)",
                    statement=self.name,
                    label=label,
                    period=period,
                ),
                "quantity": 1.0,
                "price_unit": sign * self.currency_id.round(amount),
            }
            if account:
                vals["account_id"] = account.id
            vals_list.append(vals)
        return vals_list

    def _prepare_vendor_bill_vals(self):
        """Values of the vendor bill of this statement (hook).

        A negative total (clawbacks larger than earnings) gives a vendor
        refund with the signs reversed.
        """
        self.ensure_one()
        refund = self.currency_id.compare_amounts(self.amount_total, 0.0) < 0
        sign = -1 if refund else 1
        vals = {
            "move_type": "in_refund" if refund else "in_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "ref": self.name,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(line_vals)
                for line_vals in self._prepare_vendor_bill_line_vals(sign)
            ],
        }
        journal = self.company_id.prm_commission_journal_id
        if journal:
            vals["journal_id"] = journal.id
        return vals

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------

    @api.model
    def _prm_statement_line_domain(self, date_to, partners=None, company=None):
        """Lines the next statement up to ``date_to`` takes: all lines not yet
        in a statement dated up to then."""
        domain = [("statement_id", "=", False), ("date", "<=", date_to)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        if company:
            domain.append(("company_id", "=", company.id))
        return domain

    @api.model
    def _prm_generate_statements(self, date_to, partners=None, company=None):
        """Create draft statements (one per partner and company) with the lines
        not yet in a statement dated up to ``date_to``; lines go into a draft
        statement of the partner that already exists for that period."""
        date_to = fields.Date.to_date(date_to)
        Line = self.env["prm.commission.line"].sudo()
        groups = Line._read_group(
            self._prm_statement_line_domain(date_to, partners, company),
            ["partner_id", "company_id"],
            ["id:array_agg"],
        )
        if not groups:
            return self.browse()
        plans = {
            partner: partner._prm_commission_plan()
            for partner in {partner for partner, _company, _ids in groups}
        }
        drafts = {
            (st.partner_id, st.company_id, st.date_to): st
            for st in self.sudo().search(
                [
                    ("state", "=", "draft"),
                    ("partner_id", "in", [partner.id for partner, *_ in groups]),
                    ("date_to", "=", date_to),
                ]
            )
        }
        new_vals, new_line_ids, assign = [], [], {}
        for partner, company_, line_ids in groups:
            statement = drafts.get((partner, company_, date_to))
            if statement:
                assign[statement] = line_ids
                continue
            period = plans[partner].statement_period or "month"
            new_vals.append(
                {
                    "partner_id": partner.id,
                    "company_id": company_.id,
                    "date_from": min(period_bounds(date_to, period)[0], date_to),
                    "date_to": date_to,
                }
            )
            new_line_ids.append(line_ids)
        created = self.sudo().create(new_vals)
        for statement, line_ids in zip(created, new_line_ids, strict=True):
            assign[statement] = line_ids
        for statement, line_ids in assign.items():
            Line.browse(line_ids).write({"statement_id": statement.id})
        for statement in created:
            statement.message_subscribe(partner_ids=statement.partner_id.ids)
        return created | self.browse([st.id for st in assign])

    @api.model
    def _cron_generate_statements(self):
        """Settle the bands and caps of the volume periods that ended, then draw
        up the draft statements of the statement periods that ended."""
        today = fields.Date.context_today(self)
        for plan in self.env["prm.commission.plan"].sudo().search([]):
            plan._prm_trueup_last_period(today)
        Line = self.env["prm.commission.line"].sudo()
        for period in ("month", "quarter"):
            date_to = date_utils.start_of(today, period) - timedelta(days=1)
            pending = Line._read_group(
                self._prm_statement_line_domain(date_to), ["partner_id"], []
            )
            partners = self.env["res.partner"].browse(
                [
                    partner.id
                    for (partner,) in pending
                    if (partner._prm_commission_plan().statement_period or "month")
                    == period
                ]
            )
            if partners:
                self._prm_generate_statements(date_to, partners)
