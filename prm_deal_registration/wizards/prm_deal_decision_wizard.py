# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmDealDecisionWizard(models.TransientModel):
    _name = "prm.deal.decision.wizard"
    _description = "Return or Reject Deal Registrations"

    registration_ids = fields.Many2many(
        "prm.deal.registration", string="Registrations", required=True
    )
    decision = fields.Selection(
        [("return", "Return for more information"), ("reject", "Reject")],
        required=True,
        default="return",
    )
    note = fields.Text(
        string="Message to the Partner",
        required=True,
        help="What the partner should add (return) or why the deal is not "
        "protected (rejection).",
    )

    def action_confirm(self):
        self.ensure_one()
        self.registration_ids._prm_decide(self.decision, self.note)
        return {"type": "ir.actions.act_window_close"}
