# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

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
        help="Program partner this customer invoice is attributed to. Revenue, "
        "tiers, commissions and funds read it.",
    )

    @api.depends("partner_id", "move_type")
    def _compute_prm_channel_partner_id(self):
        for move in self:
            if not move.is_sale_document(include_receipts=False):
                move.prm_channel_partner_id = False
                continue
            move.prm_channel_partner_id = move.prm_channel_partner_id or (
                move.partner_id and move.partner_id._prm_resale_channel_partner()
            )
