# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class PrmMdfDecisionWizard(models.TransientModel):
    """Approve (fully or partly), return or reject a fund request, or reject
    a claim, with the amount or the reason the partner receives."""

    _name = "prm.mdf.decision.wizard"
    _description = "Fund Decision"

    request_id = fields.Many2one("prm.mdf.request", string="Fund Request")
    claim_id = fields.Many2one("prm.mdf.claim", string="Fund Claim")
    decision = fields.Selection(
        [
            ("approve", "Approve"),
            ("return", "Ask for Information"),
            ("reject", "Reject"),
        ],
        required=True,
        default="approve",
    )
    currency_id = fields.Many2one(related="request_id.currency_id")
    amount_requested = fields.Monetary(related="request_id.amount_requested")
    amount = fields.Monetary(
        string="Amount to Approve",
        compute="_compute_amount",
        store=True,
        readonly=False,
        help="Approve less than requested for a partial approval.",
    )
    reason = fields.Text(help="Sent to the partner.")

    @api.depends("request_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.request_id.amount_requested

    def action_confirm(self):
        self.ensure_one()
        if self.claim_id:
            if self.decision != "reject":
                raise UserError(self.env._("Approve the claim from its form."))
            self.claim_id._action_reject(self.reason)
        elif self.decision == "approve":
            self.request_id._action_approve(self.amount)
        elif self.decision == "return":
            self.request_id._action_return(self.reason)
        else:
            self.request_id._action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
