# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class PrmTierHistory(models.Model):
    _inherit = "prm.tier.history"

    def _kpi_labels(self):
        return dict(
            super()._kpi_labels(),
            lead_acceptance_rate=self.env._("Lead acceptance rate (%)"),
            lead_time_to_accept_hours=self.env._("Average time to accept a lead (h)"),
        )
