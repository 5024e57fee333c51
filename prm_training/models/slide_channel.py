# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.osv import expression

from odoo.addons.prm_portal.models.res_users import PORTAL_PARTNER_STATES


class SlideChannel(models.Model):
    """Courses restricted to the program partners of some tiers or types.

    The restriction is a record rule (see ``prm_training_rules.xml``) on the
    searchable field ``prm_partner_allowed``: portal and public users only see
    unrestricted courses and those meant for their partner's tier and type.
    The domain is computed at query time, so a tier change applies at once.
    """

    _inherit = "slide.channel"

    prm_grade_ids = fields.Many2many(
        "res.partner.grade",
        "prm_slide_channel_grade_rel",
        "channel_id",
        "grade_id",
        string="Restricted to Tiers",
        help="Only people of program partners of these tiers see the course. "
        "Empty: no tier restriction.",
    )
    prm_partner_type_ids = fields.Many2many(
        "prm.training.partner.type",
        "prm_slide_channel_partner_type_rel",
        "channel_id",
        "partner_type_id",
        string="Restricted to Partner Types",
        help="Only people of program partners of these types see the course. "
        "Empty: no partner type restriction.",
    )
    prm_is_restricted = fields.Boolean(
        string="Partner Program Course",
        compute="_compute_prm_is_restricted",
        store=True,
        help="Restricted to some tiers or partner types of the partner program.",
    )
    prm_partner_allowed = fields.Boolean(
        string="Open to My Partner",
        compute="_compute_prm_partner_allowed",
        search="_search_prm_partner_allowed",
    )

    @api.depends("prm_grade_ids", "prm_partner_type_ids")
    def _compute_prm_is_restricted(self):
        for channel in self:
            channel.prm_is_restricted = bool(
                channel.prm_grade_ids or channel.prm_partner_type_ids
            )

    @api.model
    def _prm_access_partner(self):
        """Program partner whose tier and type open courses to the current
        user, or ``None`` for internal users (no restriction)."""
        user = self.env.user
        if not user.share:
            return None
        partner = user.sudo().commercial_partner_id
        if partner.prm_state not in PORTAL_PARTNER_STATES:
            return partner.browse()
        return partner

    @api.depends_context("uid")
    @api.depends("prm_grade_ids", "prm_partner_type_ids")
    def _compute_prm_partner_allowed(self):
        partner = self._prm_access_partner()
        for channel in self:
            if partner is None or not channel.prm_is_restricted:
                channel.prm_partner_allowed = True
                continue
            grades = channel.sudo().prm_grade_ids
            types = channel.sudo().prm_partner_type_ids
            channel.prm_partner_allowed = bool(
                partner
                and (not grades or partner.grade_id in grades)
                and (not types or partner.prm_partner_type in types.mapped("code"))
            )

    def _search_prm_partner_allowed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Operation not supported: %s %s", operator, value)
            )
        partner = self._prm_access_partner()
        if partner is None:
            allowed = expression.TRUE_DOMAIN
        elif not partner:
            allowed = [("prm_is_restricted", "=", False)]
        else:
            grade_domain = [("prm_grade_ids", "=", False)]
            if partner.grade_id:
                grade_domain = expression.OR(
                    [grade_domain, [("prm_grade_ids", "in", partner.grade_id.ids)]]
                )
            type_domain = [("prm_partner_type_ids", "=", False)]
            if partner.prm_partner_type:
                type_domain = expression.OR(
                    [
                        type_domain,
                        [("prm_partner_type_ids.code", "=", partner.prm_partner_type)],
                    ]
                )
            allowed = expression.OR(
                [
                    [("prm_is_restricted", "=", False)],
                    expression.AND([grade_domain, type_domain]),
                ]
            )
        if (operator == "=") == value:
            return allowed
        return ["!", *expression.normalize_domain(allowed)]
