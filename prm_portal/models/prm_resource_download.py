# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmResourceDownload(models.Model):
    """One download of a resource by a partner's user (engagement KPI)."""

    _name = "prm.resource.download"
    _description = "Partner Resource Download"
    _order = "date desc, id desc"

    resource_id = fields.Many2one(
        "prm.resource", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Partner", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one("res.users", ondelete="set null")
    date = fields.Datetime(default=fields.Datetime.now, required=True, index=True)
    cobranded = fields.Boolean(string="Co-branded PDF")
