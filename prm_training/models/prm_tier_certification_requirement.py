# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmTierCertificationRequirement(models.Model):
    """ "At least N people with a valid certification X" to hold a tier."""

    _name = "prm.tier.certification.requirement"
    _description = "Tier Certification Requirement"
    _order = "grade_id, id"

    grade_id = fields.Many2one(
        "res.partner.grade",
        string="Tier",
        required=True,
        ondelete="cascade",
        index=True,
    )
    certification_id = fields.Many2one(
        "prm.certification",
        string="Certification",
        required=True,
        ondelete="restrict",
    )
    min_people = fields.Integer(
        string="Min. Certified People",
        default=1,
        required=True,
        help="People of the partner who must hold a valid certification.",
    )

    _sql_constraints = [
        (
            "grade_certification_unique",
            "UNIQUE(grade_id, certification_id)",
            "A tier requires a certification once.",
        ),
        (
            "min_people_positive",
            "CHECK(min_people > 0)",
            "At least one certified person is required.",
        ),
    ]
