# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prm_churn_certification_days = fields.Integer(
        string="Certifications Expiring Within (days)",
        config_parameter="prm_portal.churn_certification_days",
        default=30,
    )
