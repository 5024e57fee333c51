# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class PrmAgreement(models.Model):
    _name = "prm.agreement"
    _description = "Partner Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("prm_state", "!=", False)],
    )
    agreement_type = fields.Selection(
        [
            ("nda", "Non-Disclosure Agreement"),
            ("reseller", "Reseller Agreement"),
            ("sla", "Service Level Agreement"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="reseller",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("terminated", "Terminated"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        tracking=True,
        domain=[("share", "=", False)],
    )
    date_start = fields.Date(string="Start Date", tracking=True)
    date_end = fields.Date(string="End Date", tracking=True)
    reminder_days = fields.Integer(
        string="Remind Before (days)",
        default=30,
        help="An activity is scheduled for the responsible this many days before "
        "the end date.",
    )
    reminder_date = fields.Date(compute="_compute_reminder_date", store=True)
    reminder_done = fields.Boolean(copy=False, readonly=True)
    signed_file = fields.Binary(string="Signed Document", attachment=True, copy=False)
    signed_filename = fields.Char(copy=False)
    signed_date = fields.Date(string="Signed On", copy=False, tracking=True)
    notes = fields.Html()

    _sql_constraints = [
        (
            "reminder_days_positive",
            "CHECK(reminder_days >= 0)",
            "The reminder delay cannot be negative.",
        ),
    ]

    @api.depends("partner_id")
    def _compute_user_id(self):
        for agreement in self:
            agreement.user_id = (
                agreement.partner_id.prm_channel_manager_id
                or agreement.user_id
                or self.env.user
            )

    @api.depends("date_end", "reminder_days")
    def _compute_reminder_date(self):
        for agreement in self:
            agreement.reminder_date = agreement.date_end and (
                agreement.date_end - timedelta(days=agreement.reminder_days)
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if (
                agreement.date_start
                and agreement.date_end
                and agreement.date_end < agreement.date_start
            ):
                raise ValidationError(
                    _("The agreement %s cannot end before it starts.", agreement.name)
                )

    @api.constrains("partner_id")
    def _check_partner_commercial(self):
        for agreement in self:
            if agreement.partner_id.commercial_partner_id != agreement.partner_id:
                raise ValidationError(
                    _("Agreements are signed with the partner company, not a contact.")
                )

    def write(self, vals):
        if "date_end" in vals or "reminder_days" in vals:
            vals = dict(vals, reminder_done=False)
        return super().write(vals)

    def action_activate(self):
        for agreement in self:
            if agreement.state != "draft":
                raise UserError(_("Only draft agreements can be activated."))
            if not agreement.signed_file:
                raise UserError(
                    _("Attach the signed document of %s first.", agreement.name)
                )
        today = fields.Date.context_today(self)
        for agreement in self:
            agreement.write(
                {
                    "state": "active",
                    "signed_date": agreement.signed_date or today,
                    "date_start": agreement.date_start or today,
                }
            )

    def action_terminate(self):
        if self.filtered(lambda a: a.state not in ("draft", "active")):
            raise UserError(_("Only draft or active agreements can be terminated."))
        self.write({"state": "terminated"})

    def action_reset_draft(self):
        self.write({"state": "draft"})

    @api.model
    def _cron_agreement_reminders(self):
        """Schedule renewal activities and expire agreements past their end."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "active"), ("date_end", "<", today)])
        expired.write({"state": "expired"})
        due = self.search(
            [
                ("state", "=", "active"),
                ("reminder_done", "=", False),
                ("reminder_date", "<=", today),
            ]
        )
        for agreement in due:
            agreement.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=agreement.date_end,
                summary=_("Renew agreement %s", agreement.name),
                note=_(
                    "The agreement %(name)s with %(partner)s ends on %(date)s.",
                    name=agreement.name,
                    partner=agreement.partner_id.display_name,
                    date=agreement.date_end,
                ),
                user_id=agreement.user_id.id or self.env.user.id,
            )
        due.write({"reminder_done": True})
        return due
