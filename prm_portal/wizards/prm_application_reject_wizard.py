# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmApplicationRejectWizard(models.TransientModel):
    _name = "prm.application.reject.wizard"
    _description = "Reject Partner Applications"

    application_ids = fields.Many2many("prm.application", required=True)
    reason = fields.Text(required=True, help="Sent to the applicant.")

    def action_reject(self):
        self.application_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
