# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prm_commission_product_id = fields.Many2one(
        related="company_id.prm_commission_product_id", readonly=False
    )
    prm_commission_account_id = fields.Many2one(
        related="company_id.prm_commission_account_id", readonly=False
    )
    prm_commission_journal_id = fields.Many2one(
        related="company_id.prm_commission_journal_id", readonly=False
    )
    prm_commission_dispute_days = fields.Integer(
        related="company_id.prm_commission_dispute_days", readonly=False
    )
