# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import UserError


class PrmAgreement(models.Model):
    _inherit = "prm.agreement"

    portal_acceptance = fields.Boolean(
        string="Accept in Portal",
        help="The partner's admins accept this agreement in the partner portal "
        "instead of returning a signed document.",
        tracking=True,
    )
    accepted_user_id = fields.Many2one(
        "res.users", string="Accepted By", readonly=True, copy=False
    )
    accepted_date = fields.Datetime(string="Accepted On", readonly=True, copy=False)
    accepted_ip = fields.Char(string="Accepted From", readonly=True, copy=False)

    def action_activate(self):
        accepted = self.filtered("accepted_date")
        if accepted:
            accepted._activate_accepted()
        return super(PrmAgreement, self - accepted).action_activate()

    def _activate_accepted(self):
        today = fields.Date.context_today(self)
        for agreement in self:
            agreement.write(
                {
                    "state": "active",
                    "signed_date": agreement.accepted_date.date(),
                    "date_start": agreement.date_start or today,
                }
            )

    def _portal_accept(self, user, ip_address):
        """Record the acceptance of ``user`` (a Partner Admin) and activate."""
        self.ensure_one()
        if not self.portal_acceptance or self.state != "draft":
            raise UserError(_("This agreement is not waiting for your acceptance."))
        if self.accepted_date:
            raise UserError(_("This agreement is already accepted."))
        agreement = self.sudo()
        agreement.write(
            {
                "accepted_user_id": user.id,
                "accepted_date": fields.Datetime.now(),
                "accepted_ip": ip_address,
            }
        )
        agreement._activate_accepted()
        agreement.message_post(
            body=Markup("%s")
            % _(
                "Accepted in the partner portal by %(user)s from %(ip)s.",
                user=user.name,
                ip=ip_address,
            ),
            author_id=user.partner_id.id,
        )
        return True
