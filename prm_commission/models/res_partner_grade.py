# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartnerGrade(models.Model):
    _inherit = "res.partner.grade"

    prm_commission_plan_id = fields.Many2one(
        "prm.commission.plan",
        string="Commission Plan",
        index="btree_not_null",
        help="Commission plan of the partners of this tier (a partner may have "
        "its own plan instead).",
    )
