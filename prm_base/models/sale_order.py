# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    prm_channel_partner_id = fields.Many2one(
        "res.partner",
        string="Channel Partner",
        compute="_compute_prm_channel_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index="btree_not_null",
        domain=[("prm_state", "!=", False)],
        help="Program partner this sale is attributed to: the opportunity's "
        "channel partner, or the customer itself when it is a program member "
        "(resale).",
    )

    @api.depends("opportunity_id", "partner_id")
    def _compute_prm_channel_partner_id(self):
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
