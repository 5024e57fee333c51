# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES


class PrmAnnouncement(models.Model):
    _name = "prm.announcement"
    _description = "Partner Announcement"
    _inherit = ["mail.thread"]
    _order = "date_publish desc, id desc"

    name = fields.Char(string="Title", required=True, translate=True, tracking=True)
    body = fields.Html(translate=True, sanitize_style=True)
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Archived")],
        default="draft",
        required=True,
        tracking=True,
    )
    date_publish = fields.Date(string="Published On", readonly=True, copy=False)
    date_end = fields.Date(string="Show Until")
    grade_ids = fields.Many2many(
        "res.partner.grade", string="Tiers", help="Empty for every tier."
    )
    partner_type = fields.Selection(PARTNER_TYPES, help="Empty for every type.")
    country_ids = fields.Many2many(
        "res.country", string="Countries", help="Empty for every country."
    )
    send_email = fields.Boolean(
        string="Email Partners",
        help="Also email the portal users of the targeted partners on publication.",
    )
    email_sent = fields.Boolean(readonly=True, copy=False)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    def _target_partner_domain(self):
        self.ensure_one()
        domain = [("prm_state", "in", ("onboarding", "active", "suspended"))]
        if self.grade_ids:
            domain.append(("grade_id", "in", self.grade_ids.ids))
        if self.partner_type:
            domain.append(("prm_partner_type", "=", self.partner_type))
        if self.country_ids:
            domain.append(("country_id", "in", self.country_ids.ids))
        return domain

    def _target_users(self):
        partners = self.env["res.partner"].search(self._target_partner_domain())
        return self.env["res.users"].search(
            [
                ("share", "=", True),
                ("commercial_partner_id", "in", partners.ids),
                (
                    "groups_id",
                    "in",
                    self.env.ref("prm_base.group_prm_partner_member").ids,
                ),
            ]
        )

    def action_publish(self):
        if self.filtered(lambda a: a.state == "published"):
            raise UserError(_("This announcement is already published."))
        self.write(
            {"state": "published", "date_publish": fields.Date.context_today(self)}
        )
        self.filtered(lambda a: a.send_email and not a.email_sent)._send_emails()

    def _send_emails(self):
        template = self.env.ref("prm_portal.mail_template_announcement")
        for announcement in self:
            users = announcement._target_users()
            for user in users:
                template.send_mail(
                    announcement.id,
                    email_values={
                        "recipient_ids": [fields.Command.link(user.partner_id.id)]
                    },
                    email_layout_xmlid="mail.mail_notification_light",
                )
            announcement.email_sent = True

    def action_archive_announcement(self):
        self.write({"state": "archived"})

    def action_reset_draft(self):
        self.write({"state": "draft"})

    @api.model
    def _prm_portal_latest(self, limit=5):
        """Published announcements the current user may read (record rules)."""
        today = fields.Date.context_today(self)
        return self.search(
            [
                ("state", "=", "published"),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", today),
            ],
            limit=limit,
        )
