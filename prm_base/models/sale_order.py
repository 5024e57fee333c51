# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "prm.attribution.mixin"]

    @api.depends("opportunity_id", "partner_id")
    def _compute_prm_channel_partner_id(self):
        """The opportunity's channel partner, else the customer itself when it
        is a program member (resale)."""
        for order in self:
            order.prm_channel_partner_id = (
                order.opportunity_id.prm_channel_partner_id
                or order.prm_channel_partner_id
                or (order.partner_id and order.partner_id._prm_resale_channel_partner())
            )

    def _prepare_invoice(self):
        vals = super()._prepare_invoice()
        vals["prm_channel_partner_id"] = self.prm_channel_partner_id.id
        return vals
