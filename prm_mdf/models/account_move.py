# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    prm_mdf_claim_ids = fields.One2many(
        "prm.mdf.claim", "move_id", string="Fund Claims", readonly=True
    )

    def action_prm_view_mdf_claim(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "prm.mdf.claim",
            "res_id": self.prm_mdf_claim_ids[:1].id,
            "view_mode": "form",
        }
