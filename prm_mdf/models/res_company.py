# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

MDF_JOURNAL_CODE = "MDF"


class ResCompany(models.Model):
    _inherit = "res.company"

    prm_mdf_approval_limit = fields.Monetary(
        string="MDF Approval Limit",
        currency_field="currency_id",
        default=5000.0,
        help="Fund requests approved for more than this amount (in company "
        "currency) need a PRM Administrator; PRM users approve the others.",
    )
    prm_mdf_claim_deadline_days = fields.Integer(
        string="MDF Claim Deadline (days)",
        default=60,
        help="Days after the end of an activity the partner has to claim its "
        "funds with proof of performance.",
    )
    prm_mdf_payment_mode = fields.Selection(
        [("bill", "Vendor Bill"), ("credit_note", "Credit Note")],
        string="MDF Payment",
        default="bill",
        required=True,
        help="An approved claim creates a vendor bill from the partner, or a "
        "credit note on the partner's customer account.",
    )
    prm_mdf_journal_id = fields.Many2one(
        "account.journal",
        string="MDF Journal",
        check_company=True,
        domain=[("type", "=", "purchase")],
        help="Purchase journal of the fund bills (default: the MDF journal "
        "created for the company).",
    )
    prm_mdf_expense_account_id = fields.Many2one(
        "account.account",
        string="MDF Expense Account",
        check_company=True,
        domain=[("account_type", "in", ("expense", "expense_direct_cost"))],
        help="Expense account of the fund bill and credit note lines (default: "
        "the MDF journal's account).",
    )
    prm_mdf_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="MDF Analytic Account",
        check_company=True,
        help="Analytic account of the fund bill lines when the request has none.",
    )

    _sql_constraints = [
        (
            "prm_mdf_settings_positive",
            "CHECK(prm_mdf_approval_limit >= 0 AND prm_mdf_claim_deadline_days >= 0)",
            "The MDF approval limit and claim deadline cannot be negative.",
        ),
    ]

    def _prm_mdf_journal(self):
        """The purchase journal of the fund bills, created on first use."""
        self.ensure_one()
        if self.prm_mdf_journal_id:
            return self.prm_mdf_journal_id
        Journal = self.env["account.journal"].sudo()
        journal = Journal.search(
            [
                ("company_id", "=", self.id),
                ("type", "=", "purchase"),
                ("code", "=", MDF_JOURNAL_CODE),
            ],
            limit=1,
        )
        if not journal:
            journal = Journal.create(self._prm_mdf_journal_vals())
        self.sudo().prm_mdf_journal_id = journal
        return journal

    def _prm_mdf_journal_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("Market Development Funds"),
            "code": MDF_JOURNAL_CODE,
            "type": "purchase",
            "company_id": self.id,
            "default_account_id": self._prm_mdf_default_expense_account().id,
        }

    def _prm_mdf_default_expense_account(self):
        """The expense account of the company's other purchase journals, else
        its first expense account."""
        self.ensure_one()
        purchase_journal = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.id),
                    ("type", "=", "purchase"),
                    ("default_account_id", "!=", False),
                ],
                order="sequence, id",
                limit=1,
            )
        )
        if purchase_journal:
            return purchase_journal.default_account_id
        Account = self.env["account.account"].sudo()
        return Account.search(
            [*Account._check_company_domain(self), ("account_type", "=", "expense")],
            order="code",
            limit=1,
        )

    def _prm_mdf_expense_account(self):
        """Expense account of the lines paying funds."""
        self.ensure_one()
        return (
            self.prm_mdf_expense_account_id
            or self._prm_mdf_journal().default_account_id
            or self._prm_mdf_default_expense_account()
        )
