# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Money reconciles across the whole demo database.

The demo leaves statements and claims half-way (draft, approved, submitted):
the test first takes every one of them to its vendor bill, as an accountant
would, then checks over all records of the database that what the program
owes equals what the bills say, and that nothing is billed twice.
"""

import logging
from collections import defaultdict

from odoo.tests import TransactionCase, tagged
from odoo.tools import float_compare

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestMoneyReconciles(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))

    def assertAmountEqual(self, first, second, currency, msg=None):
        self.assertEqual(
            float_compare(first, second, precision_rounding=currency.rounding),
            0,
            msg or f"{first} != {second}",
        )

    def _live_moves(self, domain):
        return self.env["account.move"].search(domain + [("state", "!=", "cancel")])

    def test_commissions_reconcile_with_vendor_bills(self):
        Statement = self.env["prm.commission.statement"]
        Statement.search([("state", "=", "draft")]).action_approve()
        Statement.search([("state", "=", "approved")]).action_create_bill()
        statements = Statement.search([("bill_id", "!=", False)])
        self.assertGreaterEqual(len(statements), 2, "the demo has statements")

        owed = defaultdict(float)
        billed = defaultdict(float)
        for statement in statements:
            currency = statement.currency_id
            # one live bill per statement, and it is the statement's bill
            bills = self._live_moves(
                [
                    ("move_type", "in", ("in_invoice", "in_refund")),
                    ("invoice_origin", "=", statement.name),
                ]
            )
            self.assertEqual(bills, statement.bill_id, statement.name)
            bill = statement.bill_id
            sign = -1 if bill.move_type == "in_refund" else 1
            self.assertEqual(bill.currency_id, currency, statement.name)
            self.assertEqual(bill.partner_id, statement.partner_id, statement.name)
            self.assertAmountEqual(
                sign * bill.amount_untaxed, statement.amount_total, currency
            )
            # the statement is the sum of its lines, each line in one statement
            self.assertAmountEqual(
                sum(statement.line_ids.mapped("amount_company")),
                statement.amount_total,
                currency,
                statement.name,
            )
            key = (statement.partner_id.id, currency.id)
            owed[key] += statement.amount_total
            billed[key] += sign * bill.amount_untaxed
        Line = self.env["prm.commission.line"]
        in_statements = Line.search_count([("statement_id", "in", statements.ids)])
        self.assertEqual(in_statements, sum(statements.mapped("line_count")))
        for key, amount in owed.items():
            currency = self.env["res.currency"].browse(key[1])
            self.assertAmountEqual(billed[key], amount, currency, f"partner {key}")
        _logger.info(
            "integrity: %s commission statements, %s lines, %s partners: "
            "statements = lines = vendor bills",
            len(statements),
            in_statements,
            len(owed),
        )

    def test_funds_reconcile_with_vendor_bills(self):
        Claim = self.env["prm.mdf.claim"]
        submitted = Claim.search([("state", "=", "submitted")])
        submitted.action_approve()
        Claim.search(
            [("state", "=", "approved"), ("move_id", "=", False)]
        ).action_create_move()
        claims = Claim.search([("move_id", "!=", False)])
        self.assertTrue(claims, "the demo has claims")
        for claim in claims:
            currency = claim.company_currency_id
            moves = self._live_moves([("ref", "=", claim.name)])
            self.assertEqual(moves, claim.move_id, claim.name)
            self.assertEqual(claim.move_id.partner_id, claim.partner_id)
            self.assertAmountEqual(
                claim.move_id.amount_untaxed, claim.amount_company, currency
            )
        allocations = claims.allocation_id
        balances = allocations._prm_balances()
        for allocation in allocations:
            values = balances[allocation.id]
            currency = allocation.currency_id
            bills = claims.filtered(lambda c, a=allocation: c.allocation_id == a)
            billed = sum(bills.move_id.mapped("amount_untaxed"))
            self.assertAmountEqual(
                values["claimed"] + values["paid"],
                billed,
                currency,
                allocation.display_name,
            )
            self.assertLessEqual(
                float_compare(
                    values["claimed"] + values["paid"],
                    values["allocated"],
                    precision_rounding=currency.rounding,
                ),
                0,
                f"{allocation.display_name} pays out more than allocated",
            )
        _logger.info(
            "integrity: %s fund claims on %s allocations: claims = vendor bills, "
            "never above the allocation",
            len(claims),
            len(allocations),
        )
