# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmCommissionDisputeWizard(models.TransientModel):
    _name = "prm.commission.dispute.wizard"
    _description = "Resolve a Commission Dispute"

    line_id = fields.Many2one(
        "prm.commission.line",
        string="Commission Line",
        required=True,
        domain=[("dispute_state", "=", "open")],
    )
    dispute_reason = fields.Text(related="line_id.dispute_reason")
    currency_id = fields.Many2one(related="line_id.company_currency_id")
    decision = fields.Selection(
        [("accepted", "Accept"), ("rejected", "Reject")],
        required=True,
        default="accepted",
    )
    resolution = fields.Text(required=True, help="Answer sent to the partner by email.")
    adjustment = fields.Monetary(
        string="Adjustment",
        help="Amount added to (or, negative, taken from) the partner's next "
        "statement, in company currency.",
    )

    def action_resolve(self):
        self.ensure_one()
        self.line_id._prm_resolve_dispute(
            self.decision == "accepted", self.resolution, self.adjustment
        )
        return {"type": "ir.actions.act_window_close"}
