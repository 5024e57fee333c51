# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .res_partner import PARTNER_TYPES


class PrmOnboardingTemplate(models.Model):
    _name = "prm.onboarding.template"
    _description = "Partner Onboarding Checklist Template"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    partner_type = fields.Selection(
        PARTNER_TYPES,
        string="Partner Type",
        help="Leave empty to use this checklist for every partner type.",
    )
    step_ids = fields.One2many(
        "prm.onboarding.template.step", "template_id", string="Steps", copy=True
    )
