# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import format_date

_logger = logging.getLogger(__name__)

STATES = [
    ("valid", "Valid"),
    ("expiring", "Expiring Soon"),
    ("expired", "Expired"),
]


class PrmPartnerCertification(models.Model):
    """A person of a program partner holding a certification.

    One record per person and certification: passing the certification again
    renews the record (new dates, the renewal is logged in the chatter).
    """

    _name = "prm.partner.certification"
    _description = "Partner Certification"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "expiry_date, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
        domain=[("commercial_partner_id.prm_state", "!=", False)],
        help="The contact of a program partner who holds the certification.",
    )
    commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    grade_id = fields.Many2one(
        "res.partner.grade",
        string="Tier",
        related="commercial_partner_id.grade_id",
        store=True,
    )
    partner_type = fields.Selection(
        related="commercial_partner_id.prm_partner_type",
        string="Partner Type",
        store=True,
    )
    country_id = fields.Many2one(
        "res.country",
        string="Country",
        related="commercial_partner_id.country_id",
        store=True,
    )
    certification_id = fields.Many2one(
        "prm.certification",
        string="Certification",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        related="certification_id.company_id",
        store=True,
        index=True,
        precompute=True,
    )
    channel_id = fields.Many2one(related="certification_id.channel_id")
    date_obtained = fields.Date(
        string="Obtained On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    expiry_date = fields.Date(
        string="Valid Until",
        compute="_compute_expiry_date",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        help="Last day the certification counts. Empty: it never expires.",
    )
    renewal_date = fields.Date(
        string="Renewal Window Opens",
        compute="_compute_renewal_date",
        store=True,
        precompute=True,
        help="From this day the certification is expiring and its holder is "
        "reminded to renew it.",
    )
    state = fields.Selection(
        STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        precompute=True,
        index=True,
        tracking=True,
        help="Kept up to date daily by the scheduled action 'Partner Program: "
        "Certification Expiry and Reminders'.",
    )
    reminder_sent = fields.Boolean(
        string="Renewal Reminder Sent", readonly=True, copy=False
    )
    renewal_count = fields.Integer(string="Renewals", readonly=True, copy=False)
    user_input_id = fields.Many2one(
        "survey.user_input",
        string="Survey Participation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="survey.group_survey_user",
        help="The passed certification attempt this record comes from.",
    )
    has_certificate = fields.Boolean(compute="_compute_has_certificate")
    renewal_url = fields.Char(
        compute="_compute_renewal_url",
        help="Where the holder renews: the course if any, else the portal.",
    )
    color = fields.Integer(compute="_compute_color")

    _sql_constraints = [
        (
            "person_certification_unique",
            "UNIQUE(partner_id, certification_id)",
            "A person holds a certification once: renew the existing record.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("certification_id", "partner_id")
    def _compute_display_name(self):
        for record in self:
            record.display_name = " - ".join(
                name
                for name in (record.certification_id.name, record.partner_id.name)
                if name
            )

    @api.depends("date_obtained", "certification_id.validity_months")
    def _compute_expiry_date(self):
        for record in self:
            months = record.certification_id.validity_months
            record.expiry_date = (
                record.date_obtained + relativedelta(months=months, days=-1)
                if record.date_obtained and months
                else False
            )

    @api.depends("expiry_date", "certification_id.renewal_days")
    def _compute_renewal_date(self):
        for record in self:
            record.renewal_date = record.expiry_date and (
                record.expiry_date
                - timedelta(days=record.certification_id.renewal_days)
            )

    @api.depends("expiry_date", "renewal_date")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for record in self:
            if record.expiry_date and record.expiry_date < today:
                record.state = "expired"
            elif record.renewal_date and record.renewal_date <= today:
                record.state = "expiring"
            else:
                record.state = "valid"

    def _compute_has_certificate(self):
        for record in self:
            record.has_certificate = bool(record.sudo().user_input_id)

    @api.depends("certification_id.channel_id")
    def _compute_renewal_url(self):
        for record in self:
            course = record.sudo().certification_id.channel_id
            record.renewal_url = record.get_base_url() + (
                course.website_url if course else "/my/certifications"
            )

    @api.depends("state")
    def _compute_color(self):
        colors = {"valid": 10, "expiring": 2, "expired": 1}
        for record in self:
            record.color = colors.get(record.state, 0)

    def _compute_access_url(self):
        super()._compute_access_url()
        for record in self:
            record.access_url = f"/my/certifications/{record.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Certificate %s", self.display_name)

    @api.model
    def _prm_valid_domain(self, date=None):
        """Records that count on ``date`` (today by default): not expired.

        Based on the dates, not on the stored state, so that a certification
        stops counting on its expiry even before the daily job has run.
        """
        date = date or fields.Date.context_today(self)
        return ["|", ("expiry_date", "=", False), ("expiry_date", ">=", date)]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        if {"date_obtained", "expiry_date", "certification_id"} & set(vals):
            vals = dict(vals)
            vals.setdefault("reminder_sent", False)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Passing a certification survey
    # ------------------------------------------------------------------

    @api.model
    def _prm_register_passes(self, user_inputs):
        """Record or renew the certifications passed in ``user_inputs``.

        ``user_inputs`` are done, successful attempts of certification surveys.
        Batch-safe: a constant number of queries to find the definitions and
        the existing records, one ``create`` for the new ones; several passes
        of the same person keep the latest one. Only contacts of program
        partners are recorded. Returns the created and renewed records.
        """
        certifications = (
            self.env["prm.certification"]
            .sudo()
            .search([("survey_id", "in", user_inputs.survey_id.ids)])
        )
        certification_by_survey = {c.survey_id.id: c for c in certifications}
        latest = {}
        for user_input in user_inputs.sorted(
            lambda ui: (ui.end_datetime or ui.create_date, ui.id)
        ):
            certification = certification_by_survey.get(user_input.survey_id.id)
            person = user_input.partner_id
            if not certification or not person.commercial_partner_id.prm_state:
                continue
            if person.company_id and person.company_id != certification.company_id:
                _logger.info(
                    "Certification %s of %s not recorded: the contact belongs to "
                    "another company.",
                    certification.name,
                    person.display_name,
                )
                continue
            latest[(person.id, certification.id)] = user_input
        if not latest:
            return self.browse()

        existing = self.search(
            [
                ("partner_id", "in", list({key[0] for key in latest})),
                ("certification_id", "in", list({key[1] for key in latest})),
            ]
        )
        existing_by_key = {
            (record.partner_id.id, record.certification_id.id): record
            for record in existing
        }
        create_vals = []
        renewed = self.browse()
        for key, user_input in latest.items():
            date = fields.Date.context_today(
                self, timestamp=user_input.end_datetime or fields.Datetime.now()
            )
            record = existing_by_key.get(key)
            if not record:
                create_vals.append(
                    {
                        "partner_id": key[0],
                        "certification_id": key[1],
                        "date_obtained": date,
                        "user_input_id": user_input.id,
                    }
                )
            elif record.user_input_id != user_input and record.date_obtained <= date:
                record._prm_renew(date, user_input)
                renewed |= record
        created = self.with_context(mail_create_nolog=True).create(create_vals)
        if created:
            created._message_log_batch(
                {
                    record.id: Markup("%s")
                    % self.env._(
                        "Certification obtained by passing %(survey)s (score "
                        "%(score)s %%).",
                        survey=record.user_input_id.survey_id.display_name,
                        score=record.user_input_id.scoring_percentage,
                    )
                    for record in created
                }
            )
        return created | renewed

    def _prm_renew(self, date, user_input):
        """Renew with a new pass on ``date``: new dates, history in chatter."""
        self.ensure_one()
        old_obtained, old_expiry = self.date_obtained, self.expiry_date
        self.write(
            {
                "date_obtained": date,
                "user_input_id": user_input.id,
                "renewal_count": self.renewal_count + 1,
                "reminder_sent": False,
            }
        )
        no_expiry = self.env._("no expiry")
        self._message_log(
            body=Markup("%s")
            % self.env._(
                "Certification renewed by passing %(survey)s again on %(date)s: "
                "valid until %(expiry)s (previously obtained on %(old_obtained)s, "
                "valid until %(old_expiry)s).",
                survey=user_input.survey_id.display_name,
                date=format_date(self.env, date),
                expiry=format_date(self.env, self.expiry_date) or no_expiry,
                old_obtained=format_date(self.env, old_obtained),
                old_expiry=format_date(self.env, old_expiry) or no_expiry,
            )
        )

    # ------------------------------------------------------------------
    # Expiry and reminders
    # ------------------------------------------------------------------

    @api.model
    def _cron_prm_certification_expiry(self):
        """Refresh the status of certifications and remind holders to renew.

        Set-based: one search for the stale statuses, one for the due
        reminders, one for the recipients; one message per reminder.
        """
        today = fields.Date.context_today(self)
        stale = self.search(
            [
                "|",
                "&",
                ("state", "!=", "expired"),
                ("expiry_date", "<", today),
                "&",
                ("state", "=", "valid"),
                ("renewal_date", "<=", today),
            ]
        )
        if stale:
            self.env.add_to_compute(self._fields["state"], stale)
            stale._recompute_recordset(["state"])
        due = self.search(
            [
                ("reminder_sent", "=", False),
                ("renewal_date", "<=", today),
                ("expiry_date", ">=", today),
            ]
        )
        due._prm_send_reminders()
        return due

    def _prm_reminder_recipients(self):
        """``{record id: partners}``: the holder and its company's Partner
        Admins (portal users of the partner with the Partner Admin role)."""
        admin_group = self.env.ref("prm_base.group_prm_partner_admin")
        admins = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", admin_group.ids),
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ]
            )
        )
        admins_by_company = defaultdict(lambda: self.env["res.partner"])
        for admin in admins:
            admins_by_company[admin.commercial_partner_id.id] |= admin.partner_id
        return {
            record.id: record.partner_id
            | admins_by_company[record.commercial_partner_id.id]
            for record in self
        }

    def _prm_send_reminders(self):
        if not self:
            return
        template = self.env.ref("prm_training.mail_template_certification_expiring")
        recipients = self._prm_reminder_recipients()
        for record in self:
            record.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                partner_ids=[Command.set(recipients[record.id].ids)],
                email_layout_xmlid="mail.mail_notification_light",
            )
        self.write({"reminder_sent": True})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_print_certificate(self):
        report = self.env.ref("prm_training.action_report_partner_certificate")
        return report.report_action(self.filtered("has_certificate"))
