# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .account_move import COMMISSION_MOVE_TYPES


class AccountPartialReconcile(models.Model):
    """Payments change the amount due of invoices through partial
    reconciliations: commissions of plans triggered by payment follow them."""

    _inherit = "account.partial.reconcile"

    def _prm_commission_moves(self):
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        return moves.filtered(
            lambda m: m.move_type in COMMISSION_MOVE_TYPES and m.prm_channel_partner_id
        )

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        if not self.env.context.get("prm_commission_skip"):
            moves = partials._prm_commission_moves()
            if moves:
                moves.sudo()._prm_commission_sync(
                    event_date=max(partials.mapped("max_date"))
                )
        return partials

    def unlink(self):
        moves = self._prm_commission_moves()
        res = super().unlink()
        if moves and not self.env.context.get("prm_commission_skip"):
            moves.sudo()._prm_commission_sync(
                event_date=fields.Date.context_today(self)
            )
        return res
