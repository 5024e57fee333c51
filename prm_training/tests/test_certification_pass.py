# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES

from .common import PrmTrainingCommon


@tagged("post_install", "-at_install")
class TestCertificationPass(PrmTrainingCommon):
    def test_pass_records_certification(self):
        user_input = self._pass(self.person_a1)
        self.assertTrue(user_input.scoring_success)
        record = self._record(self.person_a1)
        self.assertEqual(len(record), 1)
        self.assertEqual(record.commercial_partner_id, self.partner_a)
        self.assertEqual(record.grade_id, self.tier_bronze)
        self.assertEqual(record.partner_type, "reseller")
        self.assertEqual(record.date_obtained, self.today)
        self.assertEqual(
            record.expiry_date,
            self.today + relativedelta(months=12) - timedelta(days=1),
        )
        self.assertEqual(record.renewal_date, record.expiry_date - timedelta(days=30))
        self.assertEqual(record.state, "valid")
        self.assertEqual(record.user_input_id, user_input)
        self.assertTrue(record.has_certificate)
        self.assertEqual(record.company_id, self.certification.company_id)
        self.assertEqual(record.access_url, f"/my/certifications/{record.id}")
        self.assertIn("Certified Sales Professional", record.display_name)
        self.assertIn("Anna A1", record.display_name)
        log = record.message_ids.filtered(lambda m: "obtained by passing" in m.body)
        self.assertEqual(len(log), 1, "the pass is logged in the chatter")
        self.assertIn("PRM Sales Certification", log.body)

    def test_failed_and_ignored_attempts(self):
        failed = self._pass(self.person_a1, success=False)
        self.assertFalse(failed.scoring_success)
        self._pass(self.person_a2, test_entry=True)
        self._pass(self.outsider)  # not the contact of a program partner
        other_survey = self._create_certification_survey("Not a partner certification")
        self._pass(self.person_a3, survey=other_survey)
        self.assertFalse(
            self.env["prm.partner.certification"].search(
                [("partner_id", "in", (self.person_a1 | self.person_a2).ids)]
            )
        )
        self.assertFalse(self._record(self.outsider))
        self.assertFalse(
            self.env["prm.partner.certification"].search(
                [("partner_id", "=", self.person_a3.id)]
            )
        )

    def test_repass_renews_the_record(self):
        first = self._pass(self.person_a1)
        record = self._record(self.person_a1)
        record.reminder_sent = True
        later = self.today + timedelta(days=300)
        with freeze_time(later):
            second = self._pass(self.person_a1)
        self.assertEqual(self._record(self.person_a1), record, "no duplicate")
        self.assertEqual(record.date_obtained, later)
        self.assertEqual(
            record.expiry_date, later + relativedelta(months=12) - timedelta(days=1)
        )
        self.assertEqual(record.user_input_id, second)
        self.assertEqual(record.renewal_count, 1)
        self.assertFalse(record.reminder_sent, "the next expiry is reminded again")
        renewal = record.message_ids.filtered(lambda m: "renewed" in m.body)
        self.assertEqual(len(renewal), 1)
        self.assertNotEqual(first, second)

    def test_older_attempt_does_not_roll_back(self):
        older = self._attempt(self.person_a1)
        with freeze_time(self.today + timedelta(days=10)):
            self._pass(self.person_a1)
        record = self._record(self.person_a1)
        newer_input = record.user_input_id
        older.write({"end_datetime": older.create_date, "state": "done"})
        self.assertEqual(record.user_input_id, newer_input)
        self.assertEqual(record.date_obtained, self.today + timedelta(days=10))
        self.assertEqual(record.renewal_count, 0)

    def test_batch_of_passes(self):
        """Several attempts marked done at once, two of the same person."""
        attempts = (
            self._attempt(self.person_a1)
            | self._attempt(self.person_a2)
            | self._attempt(self.person_b1)
            | self._attempt(self.person_a1)
            | self._attempt(self.person_a3, success=False)
        )
        attempts._mark_done()
        records = self.env["prm.partner.certification"].search(
            [("certification_id", "=", self.certification.id)]
        )
        self.assertEqual(
            records.partner_id, self.person_a1 | self.person_a2 | self.person_b1
        )
        self.assertEqual(len(records), 3)
        self.assertEqual(self._record(self.person_a1).user_input_id, attempts[3])

    def test_batch_queries_do_not_grow(self):
        def done_attempts(count, prefix, company):
            attempts = self.env["survey.user_input"]
            for i in range(count):
                person = self.env["res.partner"].create(
                    {"name": f"{prefix} {i}", "parent_id": company.id}
                )
                attempts |= self._attempt(person)
            attempts.with_context(prm_marking_done=True).write({"state": "done"})
            self.env.flush_all()
            self.env.invalidate_all()
            return attempts

        PartnerCertification = self.env["prm.partner.certification"].sudo()
        small = done_attempts(2, "Small", self.partner_a)
        start = self.env.cr.sql_log_count
        self.assertEqual(len(PartnerCertification._prm_register_passes(small)), 2)
        self.env.flush_all()
        small_queries = self.env.cr.sql_log_count - start

        large = done_attempts(8, "Large", self.partner_b)
        with self.assertQueryCount(small_queries):
            created = PartnerCertification._prm_register_passes(large)
            self.env.flush_all()
        self.assertEqual(len(created), 8)

    def test_write_done_records(self):
        attempt = self._attempt(self.person_a2)
        attempt.write({"state": "done"})
        self.assertTrue(self._record(self.person_a2))

    def test_one_record_per_person_and_certification(self):
        self._pass(self.person_a1)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["prm.partner.certification"].create(
                {
                    "partner_id": self.person_a1.id,
                    "certification_id": self.certification.id,
                }
            )

    def test_no_expiry(self):
        self.certification.validity_months = 0
        self._pass(self.person_a1)
        record = self._record(self.person_a1)
        self.assertFalse(record.expiry_date)
        self.assertEqual(record.state, "valid")

    def test_certificate_report(self):
        self._pass(self.person_a1)
        record = self._record(self.person_a1)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "prm_training.action_report_partner_certificate", record.ids
        )[0]
        self.assertIn(b"Anna A1", html)
        self.assertIn(b"PRM Sales Certification", html)
        action = record.with_user(self.user_prm_admin).action_print_certificate()
        self.assertEqual(
            action["report_name"], "prm_training.report_partner_certificate"
        )

    def test_partner_types_are_all_available(self):
        codes = set(self.env["prm.training.partner.type"].search([]).mapped("code"))
        self.assertEqual(codes, {code for code, _label in PARTNER_TYPES})

    def test_definition_needs_certification_survey(self):
        survey = self.env["survey.survey"].create(
            {"title": "Plain survey", "scoring_type": "no_scoring"}
        )
        with self.assertRaises(ValidationError):
            self.env["prm.certification"].create(
                {"name": "Bad", "survey_id": survey.id}
            )
