# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class PrmTierHistory(models.Model):
    _inherit = "prm.tier.history"

    def _kpi_labels(self):
        labels = super()._kpi_labels()
        certifications = (
            self.env["prm.certification"]
            .sudo()
            .with_context(active_test=False)
            .search([])
        )
        labels.update(
            {
                certification._prm_kpi_key(): certification._prm_kpi_label()
                for certification in certifications
            }
        )
        return labels
