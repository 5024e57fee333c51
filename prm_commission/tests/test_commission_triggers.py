# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import tagged

from .common import PrmCommissionCommon


@tagged("post_install", "-at_install")
class TestCommissionTriggers(PrmCommissionCommon):
    def test_payment_releases_pro_rata(self):
        self.plan.trigger = "paid"
        invoice = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        self.assertFalse(self._lines(invoice), "nothing before the customer pays")
        aml = invoice.invoice_line_ids
        self.assertRecordValues(
            self._entitlements(invoice),
            [
                {
                    "invoice_line_id": aml.id,
                    "partner_id": self.partner_a.id,
                    "date": invoice.invoice_date,
                    "base": 1000.0,
                    "amount": 100.0,
                    "amount_company": 100.0,
                }
            ],
        )

        first = self._pay(invoice, 400.0, date=self.feb)
        self.assertEqual(invoice.payment_state, "partial")
        lines = self._lines(invoice)
        self.assertRecordValues(
            lines,
            [
                {
                    "kind": "invoice",
                    "base": 400.0,
                    "amount": 40.0,
                    "paid_share": 40.0,
                    "date": self.feb,
                    "invoice_line_id": aml.id,
                }
            ],
        )
        self._pay(invoice, 600.0, date=self.feb)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        lines = self._lines(invoice)
        self.assertEqual(lines.mapped("amount"), [40.0, 60.0])
        # syncing again releases nothing more
        self.assertFalse(invoice._prm_commission_sync())

        # the first payment is cancelled: its share is taken back
        first.move_id.button_draft()
        lines = self._lines(invoice)
        self.assertEqual(self._total(lines), 60.0)
        reversal = lines[-1]
        self.assertRecordValues(
            reversal,
            [{"kind": "reversal", "amount": -40.0, "reversed_line_id": lines[1].id}],
        )

    def test_payment_trigger_with_credit_note_nets_to_zero(self):
        self.plan.trigger = "paid"
        invoice = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        self._pay(invoice, 500.0)
        self.assertEqual(self._total(self._lines(invoice)), 50.0)
        # full credit note reconciled with the invoice (reverse and cancel)
        refund = invoice._reverse_moves(cancel=True)
        self.assertEqual(refund.prm_channel_partner_id, self.partner_a)
        self.assertEqual(self._total(self._lines(invoice)), 100.0)
        self.assertEqual(self._total(self._lines(refund)), -100.0)
        self.assertEqual(self._total(self._lines(invoice | refund)), 0.0)

    def test_credit_note_claws_back(self):
        invoice = self._make_invoice(
            self.partner_a, [(self.licence, 2, 1000.0), (self.support, 5, 100.0)]
        )
        self.assertEqual(self._total(self._lines(invoice)), 250.0)
        # partial credit note: one licence
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "date": self.feb})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.invoice_line_ids.filtered(
            lambda line: line.product_id == self.support
        ).unlink()
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        clawback = self._lines(refund)
        self.assertRecordValues(
            clawback,
            [
                {
                    "kind": "refund",
                    "partner_id": self.partner_a.id,
                    "base": -1000.0,
                    "amount": -100.0,
                    "date": self.feb,
                }
            ],
        )
        self.assertEqual(self._total(self._lines(partner=self.partner_a)), 150.0)

    def test_reset_and_repost_counts_once(self):
        invoice = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        original = self._lines(invoice)
        self.assertEqual(original.amount, 100.0)

        invoice.button_draft()
        lines = self._lines(invoice)
        self.assertEqual(self._total(lines), 0.0, "reset to draft takes it back")
        reversal = lines - original
        self.assertRecordValues(
            reversal,
            [
                {
                    "kind": "reversal",
                    "amount": -100.0,
                    "reversed_line_id": original.id,
                    "date": fields.Date.context_today(invoice),
                }
            ],
        )
        self.assertFalse(self._entitlements(invoice), "entitlements deleted")

        invoice.action_post()
        self.assertEqual(self._total(self._lines(invoice)), 100.0, "counted once")
        self.assertEqual(len(self._lines(invoice)), 3)
        # nothing more to release, however often it is synced
        self.assertFalse(invoice._prm_commission_sync())
        self.assertFalse(invoice._prm_commission_on_post())
        self.assertEqual(len(self._lines(invoice)), 3)

        # corrected and posted again: the new amount, once
        invoice.button_draft()
        invoice.invoice_line_ids.price_unit = 2000.0
        invoice.action_post()
        self.assertEqual(self._total(self._lines(invoice)), 200.0)
        # cancelled: nothing left
        invoice.button_cancel()
        self.assertEqual(self._total(self._lines(invoice)), 0.0)

    def test_reset_after_billing_claws_back_in_next_statement(self):
        invoice = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        statement = self.Statement._prm_generate_statements(self.jan.replace(day=31))
        statement.action_approve()
        statement.action_create_bill()
        self.assertEqual(self._lines(invoice).state, "billed")
        invoice.button_draft()
        reversal = self._lines(invoice).filtered(lambda line: line.kind == "reversal")
        self.assertRecordValues(
            reversal, [{"amount": -100.0, "state": "pending", "statement_id": False}]
        )
        self.assertEqual(statement.amount_total, 100.0, "billed statement unchanged")

    def test_reattribution_moves_commission(self):
        invoice = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        invoice.prm_channel_partner_id = self.partner_b
        self.assertEqual(self._total(self._lines(invoice, self.partner_a)), 0.0)
        self.assertEqual(self._total(self._lines(invoice, self.partner_b)), 100.0)
        # the entitlement is replaced, not added to
        self.assertRecordValues(
            self._entitlements(invoice), [{"partner_id": self.partner_b.id}]
        )
        invoice.prm_channel_partner_id = False
        self.assertFalse(self._entitlements(invoice))
        self.assertEqual(self._total(self._lines(invoice)), 0.0)

    def test_multi_currency_at_invoice_date(self):
        eur = self.setup_other_currency(
            "EUR", rates=[("2024-01-01", 2.0), ("2024-02-01", 4.0)]
        )
        invoice = self._make_invoice(
            self.partner_a, [(self.licence, 1, 1000.0)], currency=eur, date=self.jan
        )
        self.assertRecordValues(
            self._lines(invoice),
            [
                {
                    "currency_id": eur.id,
                    "base": 1000.0,
                    "amount": 100.0,
                    "amount_company": 50.0,
                }
            ],
        )
        # paid in February at another rate: the commission keeps the rate of
        # the invoice date
        self.plan.trigger = "paid"
        second = self._make_invoice(
            self.partner_a, [(self.licence, 1, 1000.0)], currency=eur, date=self.jan
        )
        self._pay(second, 1000.0, date=self.feb)
        self.assertRecordValues(
            self._lines(second), [{"amount": 100.0, "amount_company": 50.0}]
        )
