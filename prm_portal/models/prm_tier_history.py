# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class PrmTierHistory(models.Model):
    _inherit = "prm.tier.history"

    def _kpi_labels(self):
        labels = super()._kpi_labels()
        labels["resource_downloads_90d"] = self.env._("Resource downloads (90 days)")
        return labels
