# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmTierHistory(models.Model):
    _name = "prm.tier.history"
    _description = "Partner Tier History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Partner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, string="Company"
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    from_grade_id = fields.Many2one("res.partner.grade", string="From Tier")
    to_grade_id = fields.Many2one("res.partner.grade", string="To Tier")
    reason = fields.Selection(
        [
            ("entry", "Entry tier"),
            ("upgrade", "Upgrade"),
            ("downgrade", "Downgrade"),
            ("override", "Manual override"),
            ("override_end", "Override ended"),
            ("manual", "Manual change"),
        ],
        required=True,
    )
    note = fields.Text()
    kpi_snapshot = fields.Json(string="KPI Snapshot", readonly=True)
    kpi_summary = fields.Text(string="KPIs", compute="_compute_kpi_summary")
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )

    def _kpi_labels(self):
        """Labels of the KPI keys; addons adding KPIs extend it."""
        return {
            "revenue_12m": self.env._("Attributed revenue (12m)"),
            "won_count": self.env._("Won deals (12m)"),
            "lost_count": self.env._("Lost deals (12m)"),
            "won_amount": self.env._("Won amount (12m)"),
            "pipeline_value": self.env._("Open pipeline"),
            "win_rate": self.env._("Win rate (%)"),
            "avg_deal_size": self.env._("Average deal size"),
        }

    def _compute_kpi_summary(self):
        labels = self._kpi_labels()
        for entry in self:
            snapshot = entry.kpi_snapshot or {}
            entry.kpi_summary = "\n".join(
                f"{labels.get(key, key)}: {value}"
                for key, value in sorted(snapshot.items())
            )
