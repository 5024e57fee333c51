# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prm_churn_period_days = fields.Integer(
        string="Revenue Comparison Period (days)",
        config_parameter="prm_portal.churn_period_days",
        default=90,
    )
    prm_churn_revenue_drop = fields.Integer(
        string="Revenue Drop (%)",
        config_parameter="prm_portal.churn_revenue_drop",
        default=30,
    )
    prm_churn_opportunity_days = fields.Integer(
        string="Days Without Opportunity",
        config_parameter="prm_portal.churn_opportunity_days",
        default=120,
    )
    prm_churn_login_days = fields.Integer(
        string="Days Without Portal Login",
        config_parameter="prm_portal.churn_login_days",
        default=60,
    )
    prm_nps_survey_id = fields.Many2one(
        "survey.survey",
        string="Satisfaction Survey",
        config_parameter="prm_portal.nps_survey_id",
        domain=[("prm_nps", "=", True)],
    )
    prm_nps_interval_months = fields.Integer(
        string="Survey Interval (months)",
        config_parameter="prm_portal.nps_interval_months",
        default=3,
    )
