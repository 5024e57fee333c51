# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    prm_mdf_approval_limit = fields.Monetary(
        related="company_id.prm_mdf_approval_limit",
        currency_field="currency_id",
        readonly=False,
    )
    prm_mdf_claim_deadline_days = fields.Integer(
        related="company_id.prm_mdf_claim_deadline_days", readonly=False
    )
    prm_mdf_payment_mode = fields.Selection(
        related="company_id.prm_mdf_payment_mode", readonly=False
    )
    prm_mdf_journal_id = fields.Many2one(
        related="company_id.prm_mdf_journal_id", readonly=False
    )
    prm_mdf_expense_account_id = fields.Many2one(
        related="company_id.prm_mdf_expense_account_id", readonly=False
    )
    prm_mdf_analytic_account_id = fields.Many2one(
        related="company_id.prm_mdf_analytic_account_id", readonly=False
    )
