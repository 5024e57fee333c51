# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _prm_demo_load_chart(self, company, currency):
        """Demo data: give ``company`` Odoo's generic chart of accounts while
        it keeps ``currency`` (the generic chart would switch it to the
        currency of its fiscal country), then the accounting demo data."""
        if company.chart_template:
            return
        chart = self.env["account.chart.template"]
        chart._load("generic_coa", company, install_demo=False)
        company.currency_id = currency
        chart.with_context(
            allowed_company_ids=[company.id], default_company_id=company.id
        )._install_demo(company)
