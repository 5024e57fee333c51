# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestProtection(DealCommon):
    """First come, first protected; the protection window and its end."""

    def _template_messages(self, registration, xmlid):
        template = self.env.ref(f"prm_deal_registration.{xmlid}")
        subject = template._render_field("subject", registration.ids)[registration.id]
        return registration.message_ids.filtered(lambda m: m.subject == subject)

    def _set_protection_end(self, registration, days):
        end = self.today + timedelta(days=days)
        registration.sudo()._prm_transition().write(
            {
                "protection_start": min(registration.protection_start, end),
                "protection_end": end,
            }
        )

    def test_first_come_first_protected(self):
        first = self._submitted(self.partner_a)
        second = self._submitted(self.partner_b)
        self.assertTrue(second.has_conflict)
        first.with_user(self.user_channel).action_approve()
        # the reviewer of the second one cannot protect the same customer
        with self.assertRaisesRegex(UserError, "first come, first protected"):
            second.with_user(self.user_channel_other).action_approve()
        self.assertEqual(second.state, "submitted")
        # the database refuses it too, whatever the Python code does
        self.assertFalse(second.sudo()._prm_claim_protection())
        self.assertEqual(second.state, "submitted")
        # once the first protection ends, the customer is free
        first.with_user(self.user_channel).action_expire()
        self.assertEqual(first.state, "expired")
        second.with_user(self.user_channel_other).action_approve()
        self.assertEqual(second.state, "approved")

    def test_same_customer_protected_once_per_key(self):
        """Each key alone (tax ID, domain, name in a country) is unique among
        protected registrations."""
        self._submitted(self.partner_gold)
        base = {
            "customer_vat": False,
            "customer_website": False,
            "contact_email": False,
            "customer_name": "Unrelated Name",
            "customer_email": "someone@gmail.com",
        }
        for key_values in (
            {"customer_vat": "12345678"},
            {"customer_website": "acme.example.hu"},
            {"customer_name": "ACME kft"},
        ):
            registration = self._registration(
                self.partner_b, **dict(base, **key_values)
            )
            registration.sudo()._prm_transition().write({"state": "submitted"})
            self.assertFalse(
                registration.sudo()._prm_claim_protection(), list(key_values)
            )
        # the same name in another country is another customer
        elsewhere = self._registration(
            self.partner_b, **dict(base, customer_name="ACME kft")
        )
        elsewhere.customer_country_id = self.malaysia
        elsewhere.sudo()._prm_transition().write({"state": "submitted"})
        self.assertTrue(elsewhere.sudo()._prm_claim_protection())

    def test_expiry_cron_and_reminder(self):
        registration = self._submitted(self.partner_gold)
        self.assertEqual(registration.state, "approved")
        Registration = self.Registration
        # far from the end: nothing happens
        Registration._cron_prm_protection()
        self.assertFalse(registration.reminder_sent)
        # within the reminder window: one reminder, once
        self._set_protection_end(registration, 10)
        Registration._cron_prm_protection()
        Registration._cron_prm_protection()
        self.assertTrue(registration.reminder_sent)
        self.assertEqual(registration.state, "approved")
        self.assertEqual(
            len(self._template_messages(registration, "mail_template_deal_expiring")),
            1,
        )
        # the last protected day still protects
        self._set_protection_end(registration, 0)
        Registration._cron_prm_protection()
        self.assertEqual(registration.state, "approved")
        # past the end: expired, the partner is told, the customer is free
        self._set_protection_end(registration, -1)
        expired, _reminded = Registration._cron_prm_protection()
        self.assertEqual(expired, registration)
        self.assertEqual(registration.state, "expired")
        self.assertEqual(
            len(self._template_messages(registration, "mail_template_deal_expired")),
            1,
        )
        newcomer = self._submitted(self.partner_b)
        newcomer.with_user(self.user_channel_other).action_approve()
        self.assertEqual(newcomer.state, "approved")

    def test_extension(self):
        registration = self._submitted(self.partner_a, user=self.portal_a_member)
        registration.with_user(self.user_channel).action_approve()
        self._set_protection_end(registration, 5)
        self.Registration._cron_prm_protection()
        self.assertTrue(registration.reminder_sent)
        end = registration.protection_end
        as_partner = registration.with_user(self.portal_a_member)
        with self.assertRaises(ValidationError):
            as_partner.action_request_extension(end, "Too short")
        extension = as_partner.action_request_extension(
            end + timedelta(days=30), "Board meeting next month"
        )
        self.assertEqual(extension.state, "requested")
        self.assertEqual(extension.current_end, end)
        self.assertEqual(extension.requested_by_id, self.portal_a_member)
        self.assertTrue(registration.extension_pending)
        with self.assertRaises(UserError):
            as_partner.action_request_extension(end + timedelta(days=40), "Again")
        # the partner and another channel manager cannot grant it
        with self.assertRaises(AccessError):
            extension.with_user(self.portal_a_member).action_approve()
        with self.assertRaises(AccessError):
            extension.with_user(self.user_channel_other).action_approve()
        extension.with_user(self.user_channel).action_approve()
        self.assertEqual(extension.state, "approved")
        self.assertEqual(registration.protection_end, end + timedelta(days=30))
        self.assertFalse(registration.reminder_sent, "a new reminder will come")
        # a refused request leaves the protection as it is
        second = as_partner.action_request_extension(end + timedelta(days=60), "More")
        second.with_user(self.user_channel).action_refuse()
        self.assertEqual(second.state, "refused")
        self.assertEqual(registration.protection_end, end + timedelta(days=30))

    def test_extension_only_when_protected(self):
        registration = self._submitted(self.partner_a, user=self.portal_a_member)
        with self.assertRaises(UserError):
            registration.with_user(self.portal_a_member).action_request_extension(
                self.today + timedelta(days=100), "Not protected yet"
            )
