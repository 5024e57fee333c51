# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prm_deal_conflict_threshold = fields.Integer(
        related="company_id.prm_deal_conflict_threshold", readonly=False
    )
    prm_deal_reminder_days = fields.Integer(
        related="company_id.prm_deal_reminder_days", readonly=False
    )
    prm_lead_offer_hours = fields.Integer(
        related="company_id.prm_lead_offer_hours", readonly=False
    )
    prm_lead_offer_capacity = fields.Integer(
        related="company_id.prm_lead_offer_capacity", readonly=False
    )
