# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    prm_commission_product_id = fields.Many2one(
        "product.product",
        string="Commission Product",
        check_company=True,
        help="Product of the vendor bill lines paying partner commissions "
        "(default: Partner Commission).",
    )
    prm_commission_account_id = fields.Many2one(
        "account.account",
        string="Commission Expense Account",
        check_company=True,
        domain=[("account_type", "in", ("expense", "expense_direct_cost"))],
        help="Expense account of the commission bill lines (default: the "
        "product's expense account).",
    )
    prm_commission_journal_id = fields.Many2one(
        "account.journal",
        string="Commission Journal",
        check_company=True,
        domain=[("type", "=", "purchase")],
        help="Purchase journal of the commission bills (default: the first "
        "purchase journal).",
    )
    prm_commission_dispute_days = fields.Integer(
        string="Dispute Answer Delay (days)",
        default=14,
        help="Days the channel team has to answer a partner's dispute of a "
        "commission line.",
    )
