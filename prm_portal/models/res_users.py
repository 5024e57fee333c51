# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, models

PORTAL_PARTNER_STATES = ("onboarding", "active", "suspended")


class ResUsers(models.Model):
    _inherit = "res.users"

    def _prm_portal_role(self):
        """``"admin"``, ``"member"`` or ``False`` for a partner's portal user."""
        self.ensure_one()
        if not self._is_portal():
            return False
        if self.has_group("prm_base.group_prm_partner_admin"):
            return "admin"
        if self.has_group("prm_base.group_prm_partner_member"):
            return "member"
        return False

    def _prm_portal_partner(self):
        """The program partner this portal user works for, if any."""
        self.ensure_one()
        # ``env.user`` is a superuser record: hand out the partner without
        # sudo, so that record rules apply to whatever is read through it.
        partner = self.commercial_partner_id.sudo(False)
        if self._prm_portal_role() and partner.prm_state in PORTAL_PARTNER_STATES:
            return partner
        return partner.browse()

    def _prm_set_portal_role(self, role):
        """Make a partner's portal user a Partner Admin or a Partner Member."""
        admin = self.env.ref("prm_base.group_prm_partner_admin")
        member = self.env.ref("prm_base.group_prm_partner_member")
        if role == "admin":
            commands = [Command.link(member.id), Command.link(admin.id)]
        else:
            commands = [Command.link(member.id), Command.unlink(admin.id)]
        self.write({"groups_id": commands})
