# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "prm.attribution.mixin"]

    # Dimensions of the channel partner for the pipeline analysis. They are
    # not stored: grouping, sorting and searching join the partner, so a tier
    # change rewrites no opportunity.
    prm_channel_grade_id = fields.Many2one(
        related="prm_channel_partner_id.grade_id",
        string="Channel Partner Tier",
    )
    prm_channel_partner_type = fields.Selection(
        related="prm_channel_partner_id.prm_partner_type",
        string="Channel Partner Type",
    )
    prm_channel_country_id = fields.Many2one(
        related="prm_channel_partner_id.country_id",
        string="Channel Partner Country",
    )

    @api.depends("partner_assigned_id")
    def _compute_prm_channel_partner_id(self):
        for lead in self:
            lead.prm_channel_partner_id = (
                lead.partner_assigned_id.commercial_partner_id
                or lead.prm_channel_partner_id
            )

    def _prm_registered_by(self, partner):
        """Whether ``partner`` registered this deal (and got it approved).

        Commissions and funds treat registered deals apart. Extension hook:
        the deal registration addon answers from its registrations.
        """
        self.ensure_one()
        return False

    def _prepare_opportunity_quotation_context(self):
        context = super()._prepare_opportunity_quotation_context()
        if self.prm_channel_partner_id:
            context["default_prm_channel_partner_id"] = self.prm_channel_partner_id.id
        return context
