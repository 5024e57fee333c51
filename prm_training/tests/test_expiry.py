# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PrmTrainingCommon


@tagged("post_install", "-at_install")
class TestExpiry(PrmTrainingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._pass(cls.person_a2)
        cls._pass(cls.person_b1)
        cls.record_a = cls.env["prm.partner.certification"].search(
            [("partner_id", "=", cls.person_a2.id)]
        )
        cls.record_b = cls.env["prm.partner.certification"].search(
            [("partner_id", "=", cls.person_b1.id)]
        )
        cls.Cron = cls.env["prm.partner.certification"]

    def _reminders(self, record):
        return record.message_ids.filtered(
            lambda m: m.subject and m.subject.startswith("Renew your certification")
        )

    def test_expiring_then_expired(self):
        expiry = self.record_a.expiry_date
        self.assertEqual(self.record_a.state, "valid")
        with freeze_time(self.record_a.renewal_date - timedelta(days=1)):
            self.Cron._cron_prm_certification_expiry()
            self.assertEqual(self.record_a.state, "valid")
            self.assertFalse(self._reminders(self.record_a))
        with freeze_time(self.record_a.renewal_date):
            due = self.Cron._cron_prm_certification_expiry()
            self.assertEqual(due, self.record_a | self.record_b)
            self.assertEqual(self.record_a.state, "expiring")
            self.assertTrue(self.record_a.reminder_sent)
        with freeze_time(expiry):
            self.Cron._cron_prm_certification_expiry()
            self.assertEqual(self.record_a.state, "expiring", "valid on its last day")
        with freeze_time(expiry + timedelta(days=1)):
            self.Cron._cron_prm_certification_expiry()
            self.assertEqual(self.record_a.state, "expired")
            self.assertFalse(
                self.env["prm.partner.certification"].search(
                    [
                        ("id", "=", self.record_a.id),
                        *self.Cron._prm_valid_domain(),
                    ]
                ),
                "an expired certification stops counting",
            )

    def test_reminder_once_to_holder_and_partner_admins(self):
        with freeze_time(self.record_a.renewal_date + timedelta(days=2)):
            self.Cron._cron_prm_certification_expiry()
            self.Cron._cron_prm_certification_expiry()
        reminders = self._reminders(self.record_a)
        self.assertEqual(len(reminders), 1, "reminded once")
        self.assertEqual(
            reminders.partner_ids,
            self.person_a2 | self.person_a1,
            "the holder and the Partner Admin of partner A, not partner B's",
        )
        self.assertIn("Certified Sales Professional", reminders.body)
        self.assertIn("Adam A2", reminders.body)
        self.assertEqual(reminders.subtype_id, self.env.ref("mail.mt_comment"))
        b_reminder = self._reminders(self.record_b)
        self.assertEqual(b_reminder.partner_ids, self.person_b1)
        emailed = reminders.notification_ids.filtered(
            lambda n: n.notification_type == "email"
        )
        self.assertEqual(
            emailed.res_partner_id,
            self.person_a2 | self.person_a1,
            "the reminder goes out by email",
        )

    def test_renewal_rearms_the_reminder(self):
        with freeze_time(self.record_a.renewal_date):
            self.Cron._cron_prm_certification_expiry()
            self.assertTrue(self.record_a.reminder_sent)
            self._pass(self.person_a2)
            self.assertFalse(self.record_a.reminder_sent)
            self.assertEqual(self.record_a.state, "valid")

    def test_expired_before_any_reminder_is_not_reminded(self):
        self.record_a.date_obtained = self.today - timedelta(days=800)
        self.assertEqual(self.record_a.state, "expired")
        self.Cron._cron_prm_certification_expiry()
        self.assertFalse(self._reminders(self.record_a))
        self.assertFalse(self.record_a.reminder_sent)

    def test_validity_change_reschedules(self):
        old_expiry = self.record_a.expiry_date
        self.certification.validity_months = 24
        self.assertGreater(self.record_a.expiry_date, old_expiry)
