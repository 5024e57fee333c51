# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES


class PrmTrainingPartnerType(models.Model):
    """One record per program partner type, so that certifications and courses
    can target several types (a selection field holds a single value)."""

    _name = "prm.training.partner.type"
    _description = "Partner Type (Training Audience)"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(PARTNER_TYPES, required=True)
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "Each partner type exists once."),
    ]
