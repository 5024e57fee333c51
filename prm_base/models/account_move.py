# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "prm.attribution.mixin"]

    prm_revenue_excluded = fields.Boolean(
        string="Not Partner Revenue",
        copy=False,
        help="Customer invoices or credit notes that are no sale, such as "
        "marketing funds paid as a credit note: they count for no partner's "
        "revenue.",
    )

    @api.depends("partner_id", "move_type", "prm_revenue_excluded")
    def _compute_prm_channel_partner_id(self):
        """Customer invoices and refunds only; a member customer is resale."""
        for move in self:
            if (
                not move.is_sale_document(include_receipts=False)
                or move.prm_revenue_excluded
            ):
                move.prm_channel_partner_id = False
                continue
            move.prm_channel_partner_id = move.prm_channel_partner_id or (
                move.partner_id and move.partner_id._prm_resale_channel_partner()
            )
