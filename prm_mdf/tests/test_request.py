# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestRequest(PrmMdfCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_a = cls.env["res.users"].create(
            {
                "name": "Alice Portal",
                "login": "mdf_portal_a",
                "email": "alice@partner-a.example.com",
                "parent_id": cls.partner_a.id,
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_portal").id,
                            cls.env.ref("prm_base.group_prm_partner_admin").id,
                        ]
                    )
                ],
            }
        )

    # Creation, currency ---------------------------------------------------

    def test_defaults_and_allocation(self):
        request = self._request()
        self.assertTrue(request.name.startswith("MDF/"))
        self.assertEqual(request.state, "draft")
        self.assertEqual(request.currency_id, self.currency)
        self.assertEqual(request.allocation_id, self.alloc_a)
        self.assertEqual(request.period_id, self.period)
        self.assertEqual(request.amount_requested_company, 500.0)
        self.assertEqual(request.claim_deadline, request.date_end + timedelta(days=60))
        self.assertEqual(request.user_id, self.user_channel)

    def test_foreign_currency_converted_at_request_date(self):
        eur = self.setup_other_currency("EUR")
        # 4 EUR for 1 unit of company currency today, 2 before
        self.env["res.currency.rate"].create(
            {
                "name": self.today,
                "rate": 4.0,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        request = self._request(amount=1000.0, currency_id=eur.id)
        request.date_request = self.today - timedelta(days=3)
        self.assertEqual(request.amount_requested_company, 500.0)
        request.action_submit()
        self.assertEqual(request.date_request, self.today)
        self.assertAlmostEqual(request.currency_rate, 0.25)
        self.assertEqual(request.amount_requested_company, 250.0)
        self.assertEqual(self._balances(self.alloc_a)["committed"], 250.0)
        request._action_approve(600.0)
        self.assertEqual(request.amount_approved, 600.0)
        self.assertEqual(request.amount_approved_company, 150.0)
        self.assertEqual(self._balances(self.alloc_a)["committed"], 150.0)

    # Reservation ----------------------------------------------------------

    def test_submit_reserves_and_refuses_over_remaining(self):
        first = self._request(amount=1200.0, submit=True)
        self.assertEqual(first.state, "submitted")
        self.assertTrue(first.date_submitted)
        self.assertTrue(self.alloc_a.date_last_reservation)
        balances = self._balances(self.alloc_a)
        self.assertEqual(balances["committed"], 1200.0)
        self.assertEqual(balances["remaining"], 800.0)
        self.assertEqual(self.alloc_a.amount_remaining, 800.0)
        second = self._request(amount=800.01)
        with self.assertRaisesRegex(UserError, "only .*800.00 remain"):
            second.action_submit()
        self.assertEqual(second.state, "draft")
        second.amount_requested = 800.0
        second.action_submit()
        self.assertEqual(self._balances(self.alloc_a)["remaining"], 0.0)
        # B's allocation is untouched
        self.assertEqual(self._balances(self.alloc_b)["remaining"], 1000.0)

    def test_submit_without_allocation(self):
        partner_c = self._create_member("Unfunded C")
        request = self._request(partner=partner_c)
        self.assertFalse(request.allocation_id)
        with self.assertRaisesRegex(UserError, "No funds are allocated"):
            request.action_submit()

    def test_submit_checks_amount_and_dates(self):
        with self.assertRaisesRegex(UserError, "Enter the amount"):
            self._request(amount=0.0).action_submit()
        with self.assertRaises(ValidationError):
            self._request(date_end=self.today - timedelta(days=5))

    def test_return_and_cancel_release_funds(self):
        request = self._request(amount=1500.0, submit=True)
        request._action_return("Attach the agenda")
        self.assertEqual(request.state, "returned")
        self.assertEqual(request.return_reason, "Attach the agenda")
        self.assertEqual(self._balances(self.alloc_a)["committed"], 0.0)
        request.amount_requested = 1400.0
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertFalse(request.return_reason)
        self.assertEqual(self._balances(self.alloc_a)["committed"], 1400.0)
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(self._balances(self.alloc_a)["remaining"], 2000.0)

    def test_closed_period_refuses_requests(self):
        self.period.action_close()
        request = self._request()
        with self.assertRaisesRegex(UserError, "No funds are allocated"):
            request.action_submit()

    # Approval -------------------------------------------------------------

    def test_partial_approval(self):
        request = self._request(amount=900.0, submit=True)
        with self.assertRaisesRegex(UserError, "more than"):
            request._action_approve(901.0)
        with self.assertRaisesRegex(UserError, "positive amount"):
            request._action_approve(0.0)
        request._action_approve(700.0)
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.amount_approved, 700.0)
        self.assertEqual(request.approver_id, self.env.user)
        balances = self._balances(self.alloc_a)
        self.assertEqual(balances["committed"], 700.0)
        self.assertEqual(balances["remaining"], 1300.0)
        with self.assertRaisesRegex(UserError, "Only submitted"):
            request._action_approve()

    def test_approval_threshold(self):
        """Limit 1000: PRM users approve up to it, administrators above."""
        self.alloc_a.amount = 5000.0
        small = self._request(amount=1000.0, submit=True)
        large = self._request(amount=1000.01, submit=True)
        small.with_user(self.user_channel)._action_approve()
        self.assertEqual(small.state, "approved")
        with self.assertRaisesRegex(AccessError, "approval limit"):
            large.with_user(self.user_channel)._action_approve()
        self.assertEqual(large.state, "submitted")
        # a partial approval under the limit is within the PRM user's rights
        large.with_user(self.user_channel)._action_approve(900.0)
        self.assertEqual(large.state, "approved")
        bigger = self._request(partner=self.partner_b, amount=1000.0, submit=True)
        self.company.prm_mdf_approval_limit = 500.0
        with self.assertRaises(AccessError):
            bigger.with_user(self.user_channel_other)._action_approve()
        bigger.with_user(self.user_prm_admin)._action_approve()
        self.assertEqual(bigger.state, "approved")
        self.assertEqual(bigger.approver_id, self.user_prm_admin)

    def test_only_the_channel_team_decides(self):
        request = self._request(amount=100.0, submit=True)
        with self.assertRaises(AccessError):
            request.with_user(self.user_channel_other)._action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.user_sales)._action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.portal_a)._action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.portal_a)._action_reject("no")
        self.assertEqual(request.state, "submitted")

    def test_reject_needs_reason_and_mails_partner(self):
        request = self._request(amount=100.0, submit=True)
        request.sudo().requester_id = self.portal_a
        with self.assertRaisesRegex(UserError, "reason"):
            request._action_reject(" ")
        request._action_reject("Outside the program's scope")
        self.assertEqual(request.state, "rejected")
        message = request.message_ids.filtered(
            lambda m: "declined" in (m.subject or "")
        )
        self.assertEqual(len(message), 1)
        self.assertIn("Outside the program", message.body)
        self.assertEqual(message.partner_ids, self.portal_a.partner_id)

    def test_decision_mails(self):
        approved = self._request(amount=100.0, submit=True)
        approved._action_approve(80.0)
        message = approved.message_ids.filtered(
            lambda m: "approved" in (m.subject or "")
        )
        self.assertEqual(len(message), 1)
        self.assertIn("you requested", message.body)
        # shown to the partner in the portal chatter
        self.assertEqual(message.message_type, "comment")
        self.assertFalse(message.is_internal)
        self.assertFalse(message.subtype_id.internal)
        self.assertEqual(message.partner_ids, self.partner_a, "no portal requester")
        returned = self._request(amount=100.0, submit=True)
        returned._action_return("Which event?")
        message = returned.message_ids.filtered(
            lambda m: "more information" in (m.subject or "")
        )
        self.assertIn("Which event?", message.body)

    def test_decision_wizard(self):
        request = self._request(amount=900.0, submit=True)
        action = request.action_open_approve()
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        self.assertEqual(wizard_form.amount, 900.0)
        wizard_form.amount = 650.0
        wizard_form.save().action_confirm()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.amount_approved, 650.0)
        other = self._request(amount=100.0, submit=True)
        action = other.action_open_reject()
        wizard_form = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        )
        wizard_form.reason = "Duplicate of another request"
        wizard_form.save().action_confirm()
        self.assertEqual(other.state, "rejected")
        self.assertEqual(other.reject_reason, "Duplicate of another request")

    # Protection of the workflow --------------------------------------------

    def test_workflow_fields_are_protected(self):
        request = self._request(amount=100.0, submit=True)
        with self.assertRaisesRegex(UserError, "buttons"):
            request.with_user(self.user_channel).write({"state": "approved"})
        with self.assertRaisesRegex(UserError, "cannot change"):
            request.amount_requested = 5000.0
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            self._request(state="approved")
        portal_request = (
            self.env["prm.mdf.request"]
            .with_user(self.portal_a)
            .create(
                {
                    "title": "Partner's own event",
                    "date_start": self.today,
                    "date_end": self.today,
                    "amount_requested": 300.0,
                }
            )
        )
        self.assertEqual(portal_request.partner_id, self.partner_a)
        self.assertEqual(portal_request.requester_id, self.portal_a)
        with self.assertRaises(AccessError):
            portal_request.write({"state": "approved"})
        with self.assertRaises(AccessError):
            portal_request.write({"amount_approved": 300.0})
        with self.assertRaises(AccessError):
            self.env["prm.mdf.request"].with_user(self.portal_a).create(
                {
                    "title": "For someone else",
                    "partner_id": self.partner_b.id,
                    "date_start": self.today,
                    "date_end": self.today,
                }
            )
        portal_request.action_submit()
        with self.assertRaisesRegex(UserError, "draft or returned"):
            portal_request.amount_requested = 50.0
        with self.assertRaises(AccessError):
            portal_request.unlink()
        with self.assertRaisesRegex(UserError, "Only draft or cancelled"):
            portal_request.with_user(self.env.user).unlink()

    def test_tracking_of_states_and_amounts(self):
        request = self._request(amount=900.0)
        self.flush_tracking()  # as if created in a former transaction
        request = request.with_context(tracking_disable=False, mail_notrack=False)
        request.action_submit()
        request._action_approve(600.0)
        self.flush_tracking()
        tracked = request.message_ids.tracking_value_ids
        fields_tracked = set(tracked.field_id.mapped("name"))
        self.assertIn("state", fields_tracked)
        self.assertIn("amount_approved", fields_tracked)
        approved = tracked.filtered(lambda t: t.field_id.name == "amount_approved")
        self.assertEqual(approved.new_value_float, 600.0)

    def test_unclaimed_requests_are_cancelled_after_deadline(self):
        request = self._approved_request(amount=300.0)
        request.write(
            {
                "date_start": self.today - timedelta(days=80),
                "date_end": self.today - timedelta(days=70),
            }
        )
        recent = self._approved_request(amount=200.0)
        self.assertEqual(self._balances(self.alloc_a)["committed"], 500.0)
        self.env["prm.mdf.period"]._cron_close_periods()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(recent.state, "approved")
        self.assertEqual(self._balances(self.alloc_a)["committed"], 200.0)
        self.assertEqual(self.period.state, "open", "the period is not over")
