# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartnerGrade(models.Model):
    _inherit = "res.partner.grade"

    prm_certification_requirement_ids = fields.One2many(
        "prm.tier.certification.requirement",
        "grade_id",
        string="Certification Requirements",
        help="People of the partner who must hold a valid certification for the "
        "partner to reach or keep this tier.",
    )

    def _prm_requirements(self):
        requirements = super()._prm_requirements()
        for requirement in self.sudo().prm_certification_requirement_ids:
            certification = requirement.certification_id
            if not certification.active:
                continue
            requirements.append(
                {
                    "key": certification._prm_kpi_key(),
                    "label": certification._prm_kpi_label(),
                    "target": requirement.min_people,
                    "monetary": False,
                }
            )
        return requirements
