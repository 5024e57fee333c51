# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES
from odoo.addons.prm_base.tools import normalize_domain


class PrmApplicationCriterion(models.Model):
    """A pre-screening rule: an application meeting it earns its points."""

    _name = "prm.application.criterion"
    _description = "Partner Application Screening Criterion"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    rule = fields.Selection(
        [
            ("has_vat", "VAT number given"),
            ("has_website", "Website given"),
            ("business_email", "Business email (not a free mail provider)"),
            ("country", "Country in a list"),
            ("partner_type", "Partner type"),
            ("specialization", "Has one of the specializations"),
        ],
        required=True,
        default="has_vat",
    )
    points = fields.Integer(default=10, required=True)
    country_ids = fields.Many2many("res.country", string="Countries")
    partner_type = fields.Selection(PARTNER_TYPES, string="Partner Type")
    specialization_ids = fields.Many2many(
        "prm.specialization", string="Specializations"
    )

    _sql_constraints = [
        ("points_positive", "CHECK(points >= 0)", "Points cannot be negative."),
    ]

    def _is_met_by(self, application):
        self.ensure_one()
        rule = self.rule
        if rule == "has_vat":
            return bool(application.vat)
        if rule == "has_website":
            return bool(application.website)
        if rule == "business_email":
            return bool(normalize_domain(None, application.contact_email))
        if rule == "country":
            return application.country_id in self.country_ids
        if rule == "partner_type":
            return application.partner_type == self.partner_type
        if rule == "specialization":
            return bool(application.specialization_ids & self.specialization_ids)
        return False
