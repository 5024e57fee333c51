# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, tagged
from odoo.tools import date_utils

from .common import PrmCommissionCommon


@tagged("post_install", "-at_install")
class TestCommissionStatement(PrmCommissionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jan_end = fields.Date.to_date("2024-01-31")
        cls.expense = cls.company_data["default_account_expense"].copy(
            {"name": "Partner commissions", "code": "610099"}
        )
        cls.company.prm_commission_account_id = cls.expense
        cls.product_commission = cls.env.ref(
            "prm_commission.product_partner_commission"
        )

    def _statement(self, partner=None, date_to=None):
        statements = self.Statement._prm_generate_statements(
            date_to or self.jan_end, partner
        )
        return statements

    def test_statement_flow_to_paid(self):
        jan = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        feb = self._make_invoice(
            self.partner_a, [(self.licence, 1, 500.0)], date=self.feb
        )
        statement = self._statement(self.partner_a)
        self.assertRecordValues(
            statement,
            [
                {
                    "partner_id": self.partner_a.id,
                    "date_from": fields.Date.to_date("2024-01-01"),
                    "date_to": self.jan_end,
                    "state": "draft",
                    "amount_total": 100.0,
                    "line_count": 1,
                }
            ],
        )
        self.assertEqual(statement.line_ids, self._lines(jan))
        self.assertFalse(self._lines(feb).statement_id, "February waits")
        self.assertTrue(statement.name.startswith("COM/"))

        statement.action_approve()
        self.assertEqual(statement.state, "approved")
        self.assertEqual(statement.line_ids.state, "approved")
        self.assertIn(self.partner_a, statement.message_partner_ids)
        notification = statement.message_ids.filtered(
            lambda message: statement.name in (message.subject or "")
        )
        self.assertEqual(notification.partner_ids, self.partner_a, "partner emailed")

        bill = statement.action_create_bill()
        self.assertEqual(statement.state, "billed")
        self.assertEqual(statement.bill_id, bill)
        self.assertEqual(statement.line_ids.state, "billed")
        bill.action_post()
        self.assertEqual(statement.state, "billed")
        payment = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({"payment_date": self.feb})
            ._create_payments()
        )
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        self.assertEqual(statement.state, "paid")
        self.assertEqual(statement.line_ids.state, "paid")
        # the payment is cancelled: back to billed
        payment.move_id.button_draft()
        self.assertEqual(statement.state, "billed")

    def test_vendor_bill_content(self):
        self.plan.write(
            {
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Support",
                            "sequence": 1,
                            "categ_ids": [Command.set(self.categ_services.ids)],
                            "rate": 20,
                        }
                    )
                ]
            }
        )
        self._make_invoice(
            self.partner_a, [(self.licence, 2, 1000.0), (self.support, 3, 100.0)]
        )
        statement = self._statement(self.partner_a)
        statement.action_approve()
        bill = statement.action_create_bill()
        self.assertRecordValues(
            bill,
            [
                {
                    "move_type": "in_invoice",
                    "partner_id": self.partner_a.id,
                    "currency_id": self.currency.id,
                    "ref": statement.name,
                    "invoice_origin": statement.name,
                    "state": "draft",
                    "amount_untaxed": 260.0,
                    "amount_tax": 0.0,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(bill.journal_id.type, "purchase")
        self.assertRecordValues(
            bill.invoice_line_ids.sorted("price_unit"),
            [
                {
                    "product_id": self.product_commission.id,
                    "account_id": self.expense.id,
                    "quantity": 1.0,
                    "price_unit": 60.0,
                },
                {
                    "product_id": self.product_commission.id,
                    "account_id": self.expense.id,
                    "quantity": 1.0,
                    "price_unit": 200.0,
                },
            ],
        )
        self.assertIn("Support", bill.invoice_line_ids.sorted("price_unit")[0].name)
        self.assertIn(statement, bill.prm_commission_statement_ids)

    def test_negative_statement_becomes_vendor_refund(self):
        invoice = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        first = self._statement(self.partner_a)
        first.action_approve()
        first.action_create_bill()
        invoice.button_draft()  # clawback after billing
        second = self._statement(
            self.partner_a, fields.Date.context_today(invoice) + timedelta(days=1)
        )
        self.assertEqual(second.amount_total, -100.0)
        second.action_approve()
        refund = second.action_create_bill()
        self.assertRecordValues(
            refund, [{"move_type": "in_refund", "amount_untaxed": 100.0}]
        )
        self.assertEqual(refund.invoice_line_ids.price_unit, 100.0)

    def test_bills_created_in_one_batch(self):
        partner_c = self._create_member("Partner C", self.user_channel)
        for partner in (self.partner_a, self.partner_b, partner_c):
            self._make_invoice(partner, [(self.licence, 1, 1000.0)])
        statements = self._statement()
        self.assertEqual(len(statements), 3)
        statements.action_approve()
        AccountMove = type(self.env["account.move"])
        original_create = AccountMove.create
        calls = []

        def counting_create(records, vals_list):
            calls.append(vals_list)
            return original_create(records, vals_list)

        with patch.object(AccountMove, "create", counting_create):
            bills = statements.action_create_bill()
        bill_calls = [
            vals
            for vals in calls
            if isinstance(vals, list) and vals and vals[0].get("move_type")
        ]
        self.assertEqual(len(bill_calls), 1, "one create for all the bills")
        self.assertEqual(len(bill_calls[0]), 3)
        self.assertEqual(len(bills), 3)
        self.assertEqual(bills.partner_id, statements.partner_id)

    def test_billing_twice_creates_one_bill(self):
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        statement = self._statement(self.partner_a)
        statement.action_approve()
        bill = statement.action_create_bill()
        with self.assertRaises(UserError):
            statement.action_create_bill()
        # another user's stale view of the statement still says "approved": the
        # row lock re-reads it and refuses
        stale = statement.with_user(self.user_prm_admin)
        self.env.cache.set(stale, stale._fields["state"], "approved")
        self.env.cache.set(stale, stale._fields["bill_id"], None)
        with self.assertRaises(UserError):
            stale.sudo().action_create_bill()
        bills = self.env["account.move"].search(
            [("move_type", "=", "in_invoice"), ("partner_id", "=", self.partner_a.id)]
        )
        self.assertEqual(bills, bill)
        self.assertEqual(statement.bill_id, bill)

    def test_cancelled_bill_can_be_billed_again(self):
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        statement = self._statement(self.partner_a)
        statement.action_approve()
        bill = statement.action_create_bill()
        bill.button_cancel()
        self.assertEqual(statement.state, "approved")
        new_bill = statement.action_create_bill()
        self.assertNotEqual(new_bill, bill)
        self.assertEqual(statement.state, "billed")

    def test_line_belongs_to_one_statement(self):
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        statement = self._statement(self.partner_a)
        line = statement.line_ids
        self.assertFalse(self._statement(self.partner_a) - statement)
        self.assertEqual(statement.line_ids, line, "generating again adds nothing")
        other = self.Statement.create(
            {
                "partner_id": self.partner_a.id,
                "date_from": "2024-02-01",
                "date_to": "2024-02-29",
            }
        )
        with self.assertRaises(UserError):
            line.statement_id = other
        # cancelling the statement frees its lines for the next one
        statement.action_cancel()
        self.assertFalse(line.statement_id)
        self.assertEqual(line.state, "pending")
        regenerated = self._statement(self.partner_a)
        self.assertEqual(regenerated.line_ids, line)
        # computed lines are an audit trail
        with self.assertRaises(UserError):
            line.unlink()
        with self.assertRaises(UserError):
            line.with_user(self.user_prm_admin).amount = 1.0

    def test_preview_next_statement(self):
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        self._make_invoice(self.partner_a, [(self.licence, 1, 300.0)], date=self.feb)
        preview = Form(self.env["prm.commission.preview"])
        preview.partner_id = self.partner_a
        preview.date_to = self.jan_end
        self.assertEqual(preview.line_count, 1)
        self.assertEqual(preview.amount_total, 100.0)
        preview.date_to = fields.Date.to_date("2024-02-29")
        self.assertEqual(preview.line_count, 2)
        self.assertEqual(preview.amount_total, 130.0)
        wizard = preview.save()
        self.assertFalse(
            self.Statement.search([("partner_id", "=", self.partner_a.id)])
        )
        wizard.action_generate()
        statement = self.Statement.search([("partner_id", "=", self.partner_a.id)])
        self.assertEqual(statement.amount_total, 130.0)

    def test_cron_drafts_statements_of_ended_periods(self):
        today = fields.Date.context_today(self.plan)
        last_month = date_utils.start_of(today, "month") - timedelta(days=1)
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)], date=last_month)
        self._make_invoice(self.partner_a, [(self.licence, 1, 200.0)], date=today)
        self.Statement._cron_generate_statements()
        statement = self.Statement.search([("partner_id", "=", self.partner_a.id)])
        self.assertRecordValues(
            statement, [{"date_to": last_month, "amount_total": 100.0}]
        )
        self.Statement._cron_generate_statements()
        self.assertEqual(
            self.Statement.search_count([("partner_id", "=", self.partner_a.id)]), 1
        )

    def test_dispute_blocks_approval_until_answered(self):
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        statement = self._statement(self.partner_a)
        line = statement.line_ids
        line._prm_portal_dispute("The rate should be 12%", self.user_channel)
        self.assertRecordValues(
            line,
            [
                {
                    "dispute_state": "open",
                    "dispute_user_id": self.user_channel.id,
                    "dispute_date": fields.Date.context_today(line),
                    "dispute_deadline": fields.Date.context_today(line)
                    + timedelta(days=self.company.prm_commission_dispute_days),
                }
            ],
        )
        self.assertEqual(statement.dispute_count, 1)
        self.assertEqual(statement.activity_ids.user_id, self.user_channel)
        self.assertEqual(statement.activity_ids.date_deadline, line.dispute_deadline)
        self.assertIn("The rate should be 12%", statement.message_ids[0].body)
        with self.assertRaises(UserError):
            line._prm_portal_dispute("Again", self.user_channel)
        with self.assertRaises(UserError):
            statement.action_approve()
        wizard = (
            self.env["prm.commission.dispute.wizard"]
            .with_context(default_line_id=line.id)
            .create({"resolution": "Right, 12% it is.", "adjustment": 20.0})
        )
        wizard.action_resolve()
        self.assertEqual(line.dispute_state, "accepted")
        self.assertFalse(statement.activity_ids, "the dispute task is done")
        adjustment = self.Line.search([("reversed_line_id", "=", line.id)])
        self.assertRecordValues(
            adjustment,
            [{"kind": "adjustment", "amount_company": 20.0, "state": "pending"}],
        )
        statement.action_approve()
        self.assertEqual(statement.state, "approved")

    def test_channel_user_sees_own_partners(self):
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        self._make_invoice(self.partner_b, [(self.licence, 1, 1000.0)])
        self._statement()
        lines = self.Line.with_user(self.user_channel).search([])
        self.assertEqual(lines.partner_id, self.partner_a)
        statements = self.Statement.with_user(self.user_channel).search([])
        self.assertEqual(statements.partner_id, self.partner_a)
        with self.assertRaises(AccessError):
            statements.with_user(self.user_channel).action_approve()
        with self.assertRaises(AccessError):
            statements.with_user(self.user_channel).action_create_bill()
