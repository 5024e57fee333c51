# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ReportResourceCobranded(models.AbstractModel):
    _name = "report.prm_portal.report_resource_cobranded"
    _description = "Co-branded Partner Resource"

    @api.model
    def _get_report_values(self, docids, data=None):
        partner_id = (data or {}).get("prm_partner_id")
        partner = self.env["res.partner"].browse(partner_id).exists()
        return {
            "doc_ids": docids,
            "doc_model": "prm.resource",
            "docs": self.env["prm.resource"].browse(docids),
            "partner": partner.sudo(),
        }
