# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestClaim(PrmMdfCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.request = cls._approved_request(amount=1000.0, approved=800.0)
        plan = cls.env["account.analytic.plan"].create({"name": "Marketing"})
        cls.analytic_request = cls.env["account.analytic.account"].create(
            {"name": "Expo 2026", "plan_id": plan.id}
        )
        cls.analytic_default = cls.env["account.analytic.account"].create(
            {"name": "Partner marketing", "plan_id": plan.id}
        )

    # Limits -------------------------------------------------------------

    def test_claim_requires_an_approved_request(self):
        submitted = self._request(amount=100.0, submit=True)
        with self.assertRaisesRegex(UserError, "Only approved"):
            self._claim(submitted, 100.0, submit=False)

    def test_claim_cannot_exceed_approved_amount(self):
        with self.assertRaisesRegex(ValidationError, "cannot exceed the approved"):
            self._claim(self.request, 800.01, submit=False)
        claim = self._claim(self.request, 800.0)
        self.assertEqual(claim.state, "submitted")

    def test_proof_of_performance_required(self):
        claim = self._claim(self.request, 500.0, submit=False, proof=False)
        with self.assertRaisesRegex(UserError, "proof of performance"):
            claim.action_submit()
        claim.proof_attachment_ids = [Command.link(self._proof(claim).id)]
        claim.action_submit()
        self.assertEqual(claim.state, "submitted")
        self.assertEqual(self.request.state, "claimed")
        balances = self._balances(self.alloc_a)
        self.assertEqual(balances["committed"], 0.0)
        self.assertEqual(balances["claimed"], 500.0)
        self.assertEqual(balances["remaining"], 1500.0, "the unclaimed 300 is free")

    def test_claim_deadline(self):
        self.request.write(
            {
                "date_start": self.today - timedelta(days=70),
                "date_end": self.today - timedelta(days=61),
            }
        )
        self.assertEqual(self.request.claim_deadline, self.today - timedelta(days=1))
        claim = self._claim(self.request, 500.0, submit=False)
        with self.assertRaisesRegex(UserError, "claim deadline"):
            claim.action_submit()
        self.company.prm_mdf_claim_deadline_days = 90
        self.assertEqual(self.request.claim_deadline, self.today + timedelta(days=29))
        claim.action_submit()
        self.assertEqual(claim.state, "submitted")

    def test_one_claim_at_a_time_and_rejection(self):
        claim = self._claim(self.request, 600.0)
        with self.assertRaisesRegex(UserError, "Only approved"):
            self._claim(self.request, 100.0, submit=False)
        with self.assertRaisesRegex(UserError, "reason"):
            claim._action_reject("")
        claim._action_reject("The photos do not show the booth")
        self.assertEqual(claim.state, "rejected")
        self.assertEqual(self.request.state, "approved")
        self.assertEqual(self._balances(self.alloc_a)["committed"], 800.0)
        message = claim.message_ids.filtered(lambda m: "declined" in (m.subject or ""))
        self.assertIn("The photos do not show the booth", message.body)
        draft = self._claim(self.request, 700.0, submit=False)
        with self.assertRaisesRegex(ValidationError, "already claimed"):
            self._claim(self.request, 100.0, submit=False)
        draft.action_submit()
        self.assertEqual(self.request.state, "claimed")

    # Vendor bill ------------------------------------------------------------

    def test_approval_creates_vendor_bill(self):
        self.request.analytic_account_id = self.analytic_request
        claim = self._claim(self.request, 750.0)
        claim.with_user(self.user_channel).action_approve()
        self.assertEqual(claim.state, "approved")
        self.assertEqual(claim.reviewer_id, self.user_channel)
        bill = claim.move_id
        journal = self.company.prm_mdf_journal_id
        self.assertEqual(journal.code, "MDF")
        self.assertEqual(journal.type, "purchase")
        self.assertRecordValues(
            bill,
            [
                {
                    "move_type": "in_invoice",
                    "state": "draft",
                    "partner_id": self.partner_a.id,
                    "journal_id": journal.id,
                    "currency_id": self.currency.id,
                    "ref": claim.name,
                    "invoice_origin": self.request.name,
                    "invoice_date": self.today,
                    "amount_untaxed": 750.0,
                    "amount_total": 750.0,
                }
            ],
        )
        line = bill.invoice_line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.account_id, journal.default_account_id)
        self.assertEqual(line.account_id.account_type, "expense")
        self.assertFalse(line.tax_ids)
        self.assertEqual(
            line.analytic_distribution, {str(self.analytic_request.id): 100.0}
        )
        self.assertIn(self.request.title, line.name)
        self.assertEqual(bill.prm_mdf_claim_ids, claim)
        self.assertEqual(self.request.state, "claimed")
        message = claim.message_ids.filtered(lambda m: "approved" in (m.subject or ""))
        self.assertEqual(len(message), 1)

    def test_bill_uses_account_and_analytic_settings(self):
        other_expense = self.env["account.account"].create(
            {
                "name": "Co-op marketing",
                "code": "623900",
                "account_type": "expense",
            }
        )
        self.company.write(
            {
                "prm_mdf_expense_account_id": other_expense.id,
                "prm_mdf_analytic_account_id": self.analytic_default.id,
            }
        )
        claim = self._claim(self.request, 400.0)
        claim.action_approve()
        line = claim.move_id.invoice_line_ids
        self.assertEqual(line.account_id, other_expense)
        self.assertEqual(
            line.analytic_distribution, {str(self.analytic_default.id): 100.0}
        )

    def test_claim_approved_once(self):
        claim = self._claim(self.request, 750.0)
        claim.action_approve()
        bill = claim.move_id
        with self.assertRaisesRegex(UserError, "already has its bill"):
            claim.action_approve()
        with self.assertRaisesRegex(UserError, "without a bill"):
            claim.action_create_move()
        self.assertEqual(claim.move_id, bill)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("prm_mdf_claim_ids", "in", claim.ids)]
            ),
            1,
        )
        # the bill is deleted: a new one can be made, still one at a time
        bill.unlink()
        self.assertFalse(claim.move_id)
        claim.action_create_move()
        self.assertTrue(claim.move_id)
        self.assertNotEqual(claim.move_id, bill)

    def test_only_the_channel_team_approves_claims(self):
        claim = self._claim(self.request, 750.0)
        with self.assertRaises(AccessError):
            claim.with_user(self.user_channel_other).action_approve()
        with self.assertRaises(AccessError):
            claim.with_user(self.user_sales).action_approve()
        self.assertEqual(claim.state, "submitted")
        self.assertFalse(claim.move_id)

    def test_paid_follows_the_bill(self):
        claim = self._claim(self.request, 750.0)
        claim.action_approve()
        self.assertEqual(self._balances(self.alloc_a)["claimed"], 750.0)
        self._pay(claim.move_id)
        self.assertIn(claim.move_id.payment_state, ("paid", "in_payment"))
        self.assertEqual(claim.state, "paid")
        self.assertEqual(self.request.state, "paid")
        balances = self._balances(self.alloc_a)
        self.assertEqual(balances["claimed"], 0.0)
        self.assertEqual(balances["paid"], 750.0)
        self.assertEqual(balances["remaining"], 1250.0)
        self.assertEqual(self.request.amount_paid, 750.0)
        # the payment is undone: the claim waits for its payment again
        claim.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(claim.move_id.payment_state, "not_paid")
        self.assertEqual(claim.state, "approved")
        self.assertEqual(self.request.state, "claimed")

    # Credit note --------------------------------------------------------------

    def test_credit_note_mode(self):
        self.company.prm_mdf_payment_mode = "credit_note"
        claim = self._claim(self.request, 600.0)
        claim.action_approve()
        note = claim.move_id
        self.assertRecordValues(
            note,
            [
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner_a.id,
                    "prm_channel_partner_id": False,
                    "amount_total": 600.0,
                    "ref": claim.name,
                }
            ],
        )
        self.assertEqual(note.journal_id.type, "sale")
        self.assertEqual(
            note.invoice_line_ids.account_id, self.company._prm_mdf_expense_account()
        )
        self._pay(note)
        self.assertEqual(claim.state, "paid")
        # a fund credit note is no revenue for the accrual of the next period
        revenue = self.period._prm_paid_revenue(
            self.partner_a, self.period.date_from, self.period.date_to
        )
        self.assertFalse(revenue.get(self.partner_a.id))
        # nor for the partner's attributed revenue that drives its tier
        self.assertTrue(note.prm_revenue_excluded)
        kpis = self.partner_a._prm_compute_kpis()[self.partner_a.id]
        self.assertFalse(kpis["revenue_12m"])
