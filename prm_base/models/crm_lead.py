# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    prm_channel_partner_id = fields.Many2one(
        "res.partner",
        string="Channel Partner",
        compute="_compute_prm_channel_partner_id",
        store=True,
        readonly=False,
        tracking=True,
        index="btree_not_null",
        domain=[("prm_state", "!=", False)],
        help="Program partner this deal is attributed to. Follows the assigned "
        "partner; it flows to quotations, orders and invoices.",
    )

    @api.depends("partner_assigned_id")
    def _compute_prm_channel_partner_id(self):
        for lead in self:
            lead.prm_channel_partner_id = (
                lead.partner_assigned_id.commercial_partner_id
                or lead.prm_channel_partner_id
            )

    def _prepare_opportunity_quotation_context(self):
        context = super()._prepare_opportunity_quotation_context()
        if self.prm_channel_partner_id:
            context["default_prm_channel_partner_id"] = self.prm_channel_partner_id.id
        return context
