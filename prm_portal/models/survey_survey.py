# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    prm_nps = fields.Boolean(
        string="Partner Satisfaction Survey",
        help="Answers are recorded as partner satisfaction (NPS) responses: the "
        "first scale question gives the score, the first text question the "
        "comment.",
    )
