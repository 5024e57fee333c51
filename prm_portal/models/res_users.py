# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

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
        partner = self.commercial_partner_id
        if self._prm_portal_role() and partner.prm_state in PORTAL_PARTNER_STATES:
            return partner
        return partner.browse()
