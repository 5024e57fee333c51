# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .res_partner import NPS_CATEGORIES

# Contribution of each category to the NPS: its average is the NPS.
NPS_VALUES = {"promoter": 100, "passive": 0, "detractor": -100}


class PrmNpsResponse(models.Model):
    """One Partner Admin's answer to the partner satisfaction survey."""

    _name = "prm.nps.response"
    _description = "Partner Satisfaction Response"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Respondent", readonly=True, ondelete="set null"
    )
    survey_id = fields.Many2one(
        "survey.survey", string="Survey", readonly=True, ondelete="set null"
    )
    user_input_id = fields.Many2one(
        "survey.user_input",
        string="Survey Answer",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        groups="survey.group_survey_user",
    )
    date = fields.Date(required=True, readonly=True, index=True)
    score = fields.Integer(
        required=True, readonly=True, aggregator="avg", help="Answer from 0 to 10."
    )
    category = fields.Selection(
        NPS_CATEGORIES,
        compute="_compute_category",
        store=True,
        help="Promoter (9-10), passive (7-8) or detractor (0-6).",
    )
    nps_value = fields.Integer(
        string="NPS",
        compute="_compute_category",
        store=True,
        aggregator="avg",
        help="100 for a promoter, 0 for a passive, -100 for a detractor: the "
        "average over a group of responses is its Net Promoter Score.",
    )
    comment = fields.Text(readonly=True)
    grade_id = fields.Many2one(
        "res.partner.grade",
        string="Tier",
        related="partner_id.grade_id",
        store=True,
    )
    partner_type = fields.Selection(
        related="partner_id.prm_partner_type", string="Partner Type", store=True
    )
    country_id = fields.Many2one(
        "res.country", related="partner_id.country_id", store=True
    )
    channel_manager_id = fields.Many2one(
        "res.users",
        string="Channel Manager",
        related="partner_id.prm_channel_manager_id",
        store=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )

    _sql_constraints = [
        (
            "user_input_unique",
            "UNIQUE(user_input_id)",
            "A survey answer is recorded once.",
        ),
        (
            "score_range",
            "CHECK(score >= 0 AND score <= 10)",
            "The score is between 0 and 10.",
        ),
    ]

    @api.depends("score")
    def _compute_category(self):
        for response in self:
            if response.score >= 9:
                category = "promoter"
            elif response.score >= 7:
                category = "passive"
            else:
                category = "detractor"
            response.category = category
            response.nps_value = NPS_VALUES[category]

    @api.model_create_multi
    def create(self, vals_list):
        responses = super().create(vals_list)
        responses.partner_id._prm_update_nps()
        return responses

    def unlink(self):
        partners = self.partner_id
        res = super().unlink()
        partners._prm_update_nps()
        return res
