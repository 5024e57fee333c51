# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmOnboardingTemplateStep(models.Model):
    _name = "prm.onboarding.template.step"
    _description = "Partner Onboarding Checklist Step"
    _order = "sequence, id"

    template_id = fields.Many2one(
        "prm.onboarding.template", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
