# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestWorkflow(DealCommon):
    """Every state transition, and who may do it."""

    def _messages(self, registration, template_xmlid):
        template = self.env.ref(f"prm_deal_registration.{template_xmlid}")
        subject = template._render_field("subject", registration.ids)[registration.id]
        return registration.message_ids.filtered(lambda m: m.subject == subject)

    def test_submit_then_approve(self):
        registration = self._registration(self.partner_a, user=self.portal_a_member)
        self.assertEqual(registration.state, "draft")
        self.assertEqual(registration.partner_id, self.partner_a)
        self.assertEqual(registration.submitted_by_id, self.portal_a_member)
        self.assertEqual(registration.user_id, self.user_channel)
        self.assertTrue(registration.name.startswith("DR/"))
        self.assertIn(self.user_channel.partner_id, registration.message_partner_ids)

        registration.with_user(self.portal_a_member).action_submit()
        self.assertEqual(registration.state, "submitted")
        self.assertTrue(registration.date_submitted)
        submitted = self._messages(registration, "mail_template_deal_submitted")
        self.assertEqual(len(submitted), 1)
        self.assertIn(self.portal_a_member.partner_id, submitted.partner_ids)
        # from the channel manager, visible in the portal conversation
        self.assertEqual(submitted.author_id, self.user_channel.partner_id)
        self.assertEqual(submitted.email_from, self.user_channel.email_formatted)
        self.assertEqual(submitted.message_type, "comment")
        review = registration.activity_ids
        self.assertEqual(review.user_id, self.user_channel)

        # neither the partner, another channel manager nor a salesman approves
        for user in (self.portal_a_admin, self.user_channel_other, self.user_sales):
            with self.assertRaises(AccessError):
                registration.with_user(user).action_approve()
        registration.with_user(self.user_channel).action_approve()
        self.assertEqual(registration.state, "approved")
        self.assertFalse(registration.auto_approved)
        self.assertEqual(registration.decided_by_id, self.user_channel)
        self.assertEqual(registration.protection_start, self.today)
        self.assertEqual(registration.protection_end, self.today + timedelta(days=60))
        self.assertFalse(registration.activity_ids, "the review is done")
        self.assertEqual(
            len(self._messages(registration, "mail_template_deal_approved")), 1
        )

        lead = registration.lead_id
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_assigned_id, self.partner_a)
        self.assertEqual(lead.prm_channel_partner_id, self.partner_a)
        self.assertTrue(lead._prm_registered_by(self.partner_a))
        self.assertFalse(lead._prm_registered_by(self.partner_b))
        self.assertEqual(lead.partner_name, "Acme Kft.")
        self.assertEqual(lead.user_id, self.user_channel)
        self.assertEqual(lead.expected_revenue, 1000.0)
        self.assertEqual(lead.prm_registration_count, 1)
        # the partner follows its deal in Odoo's portal pages
        self.assertIn(
            lead,
            self.env["crm.lead"]
            .with_user(self.portal_a_member)
            .search([("type", "=", "opportunity")]),
        )
        # a quotation made from the opportunity carries the partner
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "opportunity_id": lead.id,
            }
        )
        self.assertEqual(order.prm_channel_partner_id, self.partner_a)

    def test_auto_approval(self):
        registration = self._submitted(self.partner_gold, user=self.portal_gold)
        self.assertEqual(registration.state, "approved")
        self.assertTrue(registration.auto_approved)
        self.assertEqual(registration.protection_end, self.today + timedelta(days=120))
        self.assertTrue(registration.lead_id)
        self.assertFalse(self._messages(registration, "mail_template_deal_submitted"))
        self.assertTrue(self._messages(registration, "mail_template_deal_approved"))

    def test_return_and_resubmit(self):
        registration = self._submitted(self.partner_a, user=self.portal_a_member)
        with self.assertRaises(AccessError):
            registration.with_user(self.portal_a_member).action_return()
        action = registration.with_user(self.user_channel).action_return()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.user_channel)
            .with_context(**action["context"])
        )
        wizard.note = "Which products?"
        wizard.save().action_confirm()
        self.assertEqual(registration.state, "returned")
        self.assertEqual(registration.decision_note, "Which products?")
        self.assertEqual(
            len(self._messages(registration, "mail_template_deal_returned")), 1
        )
        # the partner completes and resubmits
        registration.with_user(self.portal_a_member).write(
            {
                "line_ids": [
                    (0, 0, {"name": "Licences", "quantity": 10, "price_unit": 250.0})
                ]
            }
        )
        self.assertEqual(registration.expected_revenue, 2500.0)
        registration.with_user(self.portal_a_member).action_submit()
        self.assertEqual(registration.state, "submitted")
        self.assertFalse(registration.decision_note)

    def test_reject(self):
        registration = self._submitted(self.partner_a)
        with self.assertRaises(AccessError):
            registration.with_user(self.user_channel_other)._prm_decide("reject", "No")
        registration.with_user(self.user_channel)._prm_decide(
            "reject", "Direct account"
        )
        self.assertEqual(registration.state, "rejected")
        self.assertEqual(
            len(self._messages(registration, "mail_template_deal_rejected")), 1
        )
        with self.assertRaises(UserError):
            registration.action_submit()
        with self.assertRaises(UserError):
            registration.with_user(self.user_channel).action_approve()

    def test_partner_cannot_move_the_workflow(self):
        registration = self._registration(self.partner_a, user=self.portal_a_member)
        as_partner = registration.with_user(self.portal_a_member)
        with self.assertRaises(AccessError):
            as_partner.write({"state": "approved"})
        with self.assertRaises(AccessError):
            as_partner.write({"protection_end": self.today + timedelta(days=999)})
        with self.assertRaises(AccessError):
            self.Registration.with_user(self.portal_a_member).create(
                self._registration_vals(self.partner_b)
            )
        as_partner.action_submit()
        as_partner.invalidate_recordset()
        with self.assertRaises(UserError):
            as_partner.write({"customer_name": "Changed after submission"})
        # internal users go through the buttons too
        with self.assertRaises(UserError):
            registration.with_user(self.user_channel).write({"state": "approved"})
        with self.assertRaises(UserError):
            self.Registration.create(
                self._registration_vals(self.partner_a, state="approved")
            )

    def test_submission_requirements(self):
        registration = self._registration(
            self.partner_a,
            customer_vat=False,
            customer_website=False,
            contact_email=False,
        )
        with self.assertRaisesRegex(UserError, "tax ID, website or e-mail"):
            registration.action_submit()
        registration.customer_email = "office@acme.example.hu"
        registration.date_expected_close = self.today - timedelta(days=1)
        with self.assertRaisesRegex(UserError, "past"):
            registration.action_submit()
        registration.date_expected_close = self.today
        registration.expected_revenue = 0.0
        with self.assertRaisesRegex(UserError, "expected revenue"):
            registration.action_submit()
        registration.expected_revenue = 10.0
        registration.action_submit()
        self.assertEqual(registration.state, "submitted")

    def test_won_and_lost_follow_the_opportunity(self):
        won = self._submitted(self.partner_gold)
        lost = self._submitted(
            self.partner_gold,
            customer_name="Beta Kft.",
            customer_vat="HU99999999",
            customer_website="beta.example.hu",
            contact_email=False,
        )
        self.assertEqual((won | lost).mapped("state"), ["approved", "approved"])
        won.lead_id.action_set_won()
        lost.lead_id.action_set_lost()
        self.assertEqual(won.state, "won")
        self.assertEqual(lost.state, "lost")
        # the customer is free again
        again = self._submitted(self.partner_gold, user=self.portal_gold)
        self.assertEqual(again.state, "approved")

    def test_member_and_admin_visibility(self):
        mine = self._registration(self.partner_a, user=self.portal_a_member)
        colleague = self._registration(
            self.partner_a, user=self.portal_a_member2, customer_name="Other Kft."
        )
        theirs = self._registration(self.partner_b, user=self.portal_b_admin)
        Registration = self.Registration
        self.assertEqual(Registration.with_user(self.portal_a_member).search([]), mine)
        self.assertEqual(
            Registration.with_user(self.portal_a_admin).search([]), mine | colleague
        )
        self.assertEqual(
            Registration.with_user(self.user_channel).search([])
            & (mine | colleague | theirs),
            mine | colleague,
        )
        with self.assertRaises(AccessError):
            theirs.with_user(self.portal_a_admin).read(["customer_name"])
        with self.assertRaises(AccessError):
            colleague.with_user(self.portal_a_member).read(["customer_name"])

    def test_administrator_decides_for_every_partner(self):
        registration = self._submitted(self.partner_b, user=self.portal_b_admin)
        registration.with_user(self.user_prm_admin).action_approve()
        self.assertEqual(registration.state, "approved")
        # ending a protection by hand: the reviewers only
        for user in (self.portal_b_admin, self.user_channel, self.user_sales):
            with self.assertRaises(AccessError):
                registration.with_user(user).action_expire()
        registration.with_user(self.user_channel_other).action_expire()
        self.assertEqual(registration.state, "expired")
        self.assertEqual(
            len(self._messages(registration, "mail_template_deal_expired")), 1
        )
