# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PrmCommon


@tagged("post_install", "-at_install")
class TestAgreement(PrmCommon):
    def _agreement(self, **vals):
        return self.env["prm.agreement"].create(
            {
                "name": "Reseller agreement",
                "partner_id": self.partner_a.id,
                "date_start": self.today,
                "date_end": self.today + timedelta(days=60),
                "reminder_days": 30,
                **vals,
            }
        )

    def test_activation_needs_signed_document(self):
        agreement = self._agreement()
        self.assertEqual(agreement.user_id, self.user_channel, "channel manager")
        with self.assertRaisesRegex(UserError, "signed document"):
            agreement.action_activate()
        agreement.signed_file = base64.b64encode(b"%PDF-1.4 signed")
        agreement.action_activate()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.signed_date, self.today)

    def test_dates_consistency(self):
        with self.assertRaises(ValidationError):
            self._agreement(date_end=self.today - timedelta(days=1))

    def test_contact_cannot_sign(self):
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": self.partner_a.id}
        )
        with self.assertRaises(ValidationError):
            self._agreement(partner_id=contact.id)

    def test_reminder_then_expiry(self):
        agreement = self._agreement(signed_file=base64.b64encode(b"signed"))
        agreement.action_activate()
        Agreement = self.env["prm.agreement"]
        self.assertFalse(Agreement._cron_agreement_reminders())
        with freeze_time(self.today + timedelta(days=30)):
            self.assertEqual(Agreement._cron_agreement_reminders(), agreement)
            self.assertEqual(Agreement._cron_agreement_reminders(), Agreement)
        activity = agreement.activity_ids
        self.assertEqual(len(activity), 1, "one reminder only")
        self.assertEqual(activity.user_id, self.user_channel)
        self.assertEqual(activity.date_deadline, agreement.date_end)
        # Extending the agreement re-arms the reminder.
        agreement.date_end = self.today + timedelta(days=90)
        self.assertFalse(agreement.reminder_done)
        with freeze_time(self.today + timedelta(days=91)):
            Agreement._cron_agreement_reminders()
        self.assertEqual(agreement.state, "expired")
