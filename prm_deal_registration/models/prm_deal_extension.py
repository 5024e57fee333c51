# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class PrmDealExtension(models.Model):
    _name = "prm.deal.extension"
    _description = "Deal Protection Extension Request"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "registration_id"

    registration_id = fields.Many2one(
        "prm.deal.registration",
        string="Registration",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="registration_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="registration_id.partner_id", store=True, string="Partner"
    )
    user_id = fields.Many2one(
        related="registration_id.user_id", string="Channel Manager"
    )
    requested_by_id = fields.Many2one(
        "res.users",
        string="Requested By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    current_end = fields.Date(
        string="Protected Until",
        readonly=True,
        help="End of the protection when the extension was requested.",
    )
    requested_end = fields.Date(string="Extend Until", required=True)
    reason = fields.Text(required=True)
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        string="Status",
        default="requested",
        required=True,
        readonly=True,
        index=True,
    )
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True)
    date_decided = fields.Datetime(string="Decided On", readonly=True)

    @api.constrains("requested_end", "current_end")
    def _check_requested_end(self):
        for extension in self:
            if (
                extension.current_end
                and extension.requested_end <= extension.current_end
            ):
                raise ValidationError(
                    self.env._(
                        "An extension must end after the current protection (%s).",
                        extension.current_end,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            registration = self.env["prm.deal.registration"].browse(
                vals.get("registration_id")
            )
            if registration.state != "approved":
                raise UserError(
                    self.env._("Only an approved registration can be extended.")
                )
            if "requested" in registration.sudo().extension_ids.mapped("state"):
                raise UserError(
                    self.env._(
                        "An extension of %s is already waiting for a decision.",
                        registration.name,
                    )
                )
            vals.update(
                current_end=registration.protection_end,
                requested_by_id=self.env.user.id,
                state="requested",
            )
        extensions = super().create(vals_list)
        for extension in extensions:
            registration = extension.registration_id.sudo()
            registration.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "Extension of the protection requested until %s.",
                        extension.requested_end,
                    ),
                    extension.reason,
                ),
                author_id=self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            if registration.user_id:
                registration.activity_schedule(
                    "prm_deal_registration.mail_activity_type_deal_review",
                    summary=self.env._("Decide on the protection extension"),
                    user_id=registration.user_id.id,
                )
        return extensions

    def _prm_check_decision(self):
        self.registration_id._prm_check_reviewer()
        if any(extension.state != "requested" for extension in self):
            raise UserError(self.env._("This extension request is already decided."))

    def action_approve(self):
        self._prm_check_decision()
        now = fields.Datetime.now()
        for extension in self.sudo():
            registration = extension.registration_id
            if registration.state != "approved":
                raise UserError(
                    self.env._(
                        "%s is no longer protected: it cannot be extended.",
                        registration.name,
                    )
                )
            registration._prm_transition().write(
                {"protection_end": extension.requested_end, "reminder_sent": False}
            )
            extension.write(
                {
                    "state": "approved",
                    "decided_by_id": self.env.user.id,
                    "date_decided": now,
                }
            )
            registration.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "The protection is extended until %s.", extension.requested_end
                ),
                author_id=self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.registration_id.sudo()._prm_close_review()
        return True

    def action_refuse(self):
        self._prm_check_decision()
        self.sudo().write(
            {
                "state": "refused",
                "decided_by_id": self.env.user.id,
                "date_decided": fields.Datetime.now(),
            }
        )
        for extension in self.sudo():
            extension.registration_id.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "The extension of the protection until %s is refused.",
                    extension.requested_end,
                ),
                author_id=self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.registration_id.sudo()._prm_close_review()
        return True
