# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import re
from datetime import timedelta

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import PrmTrainingCase


@tagged("post_install", "-at_install")
class TestPortal(PrmTrainingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_prm_training()
        cls.course = cls.env["slide.channel"].create(
            {"name": "Sales Professional Course", "is_published": True}
        )
        cls.certification.channel_id = cls.course
        cls.other_survey = cls._create_certification_survey("PRM Advanced Exam")
        cls.other_certification = cls.env["prm.certification"].create(
            {"name": "Advanced Specialist", "survey_id": cls.other_survey.id}
        )
        cls.gold_only = cls.env["prm.certification"].create(
            {
                "name": "Gold Architect",
                "survey_id": cls._create_certification_survey("Gold exam").id,
                "grade_ids": [Command.link(cls.tier_gold.id)],
            }
        )
        cls._pass(cls.person_a1)  # the Partner Admin
        cls._pass(cls.person_a2)  # the Partner Member
        cls._pass(cls.person_a3)  # a colleague without a portal user
        cls._pass(cls.person_b1)
        PartnerCertification = cls.env["prm.partner.certification"]
        cls.cert_a1 = PartnerCertification.search(
            [("partner_id", "=", cls.person_a1.id)]
        )
        cls.cert_a2 = PartnerCertification.search(
            [("partner_id", "=", cls.person_a2.id)]
        )
        cls.cert_a3 = PartnerCertification.search(
            [("partner_id", "=", cls.person_a3.id)]
        )
        cls.cert_b1 = PartnerCertification.search(
            [("partner_id", "=", cls.person_b1.id)]
        )
        # A3's certification has expired, A2's is expiring
        cls.cert_a3.date_obtained = cls.today - timedelta(days=400)
        cls.cert_a2.date_obtained = cls.today - timedelta(days=350)

    def _login(self, user):
        self.authenticate(user.login, user.login + "_pwd")

    def test_partner_admin_sees_company_certifications(self):
        self._login(self.portal_a_admin)
        response = self.url_open("/my/certifications")
        self.assertEqual(response.status_code, 200)
        body = response.text
        for record in (self.cert_a1, self.cert_a2, self.cert_a3):
            self.assertIn(f"/my/certifications/{record.id}", body)
            self.assertIn(record.partner_id.name, body)
        self.assertNotIn(f"/my/certifications/{self.cert_b1.id}", body)
        self.assertNotIn("Bela B1", body)
        self.assertIn("prm_certifications_valid", body)
        self.assertIn("prm_certifications_expiring", body)
        self.assertIn("prm_certifications_expired", body)
        # available: the certifications A1 does not hold, the course to take
        self.assertIn("Advanced Specialist", body)
        self.assertNotIn("Gold Architect", body, "meant for gold partners only")
        self.assertIn("Sales Professional Course", body)
        filtered = self.url_open("/my/certifications?filterby=expired").text
        self.assertIn(f"/my/certifications/{self.cert_a3.id}", filtered)
        self.assertNotIn(f"/my/certifications/{self.cert_a1.id}", filtered)

    def test_member_sees_own_certifications_only(self):
        self._login(self.portal_a_member)
        body = self.url_open("/my/certifications").text
        self.assertIn(f"/my/certifications/{self.cert_a2.id}", body)
        self.assertNotIn(f"/my/certifications/{self.cert_a1.id}", body)
        self.assertNotIn(f"/my/certifications/{self.cert_a3.id}", body)
        self.assertNotIn("Anna A1", body)
        self.assertNotIn("Alma A3", body)
        self.assertIn("Certified Sales Professional", body, "expiring: to renew")

    def test_detail_access(self):
        self._login(self.portal_a_member)
        own = self.url_open(f"/my/certifications/{self.cert_a2.id}")
        self.assertEqual(own.status_code, 200)
        self.assertIn("Adam A2", own.text)
        self.assertIn("Certificate", own.text)
        for other in (self.cert_a1, self.cert_a3, self.cert_b1):
            for url in (
                f"/my/certifications/{other.id}",
                f"/my/certifications/{other.id}/certificate",
            ):
                response = self.url_open(url)
                self.assertTrue(response.url.endswith("/my"), url)
                self.assertNotIn(other.partner_id.name, response.text)
        missing = self.url_open("/my/certifications/999999")
        self.assertTrue(missing.url.endswith("/my"))

        self._login(self.portal_a_admin)
        colleague = self.url_open(f"/my/certifications/{self.cert_a3.id}")
        self.assertEqual(colleague.status_code, 200)
        self.assertIn("Alma A3", colleague.text)
        other_partner = self.url_open(f"/my/certifications/{self.cert_b1.id}")
        self.assertTrue(other_partner.url.endswith("/my"))
        self.assertNotIn("Bela B1", other_partner.text)

    def test_certificate_download(self):
        self._login(self.portal_a_admin)
        response = self.url_open(f"/my/certifications/{self.cert_a3.id}/certificate")
        self.assertEqual(response.status_code, 200)
        # in test mode the PDF engine is bypassed: the certificate comes as HTML
        self.assertIn("Alma A3", response.text)
        self.assertIn("PRM Sales Certification", response.text)

    def test_other_partner_and_non_partner(self):
        self._login(self.portal_b_admin)
        body = self.url_open("/my/certifications").text
        self.assertIn("Bela B1", body)
        for name in ("Anna A1", "Adam A2", "Alma A3"):
            self.assertNotIn(name, body)
        customer = self.env["res.users"].create(
            {
                "name": "Plain customer",
                "login": "training_customer",
                "password": "training_customer_pwd",
                "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        self._login(customer)
        response = self.url_open("/my/certifications")
        self.assertTrue(response.url.endswith("/my"))
        response = self.url_open(f"/my/certifications/{self.cert_a1.id}")
        self.assertTrue(response.url.endswith("/my"))

    def test_dashboard_tile_and_counter(self):
        self._login(self.portal_a_admin)
        body = self.url_open("/my/partner").text
        self.assertIn("Valid Certifications", body)
        self.assertIn("/my/certifications", body)
        self.assertIn("1 expiring soon", body)
        tiles = self.partner_a.with_user(self.portal_a_admin)._prm_portal_tiles()
        tile = next(t for t in tiles if t["url"] == "/my/certifications")
        self.assertEqual(tile["value"], "2", "A1 and A2; A3's has expired")
        member_tiles = self.partner_a.with_user(
            self.portal_a_member
        )._prm_portal_tiles()
        tile = next(t for t in member_tiles if t["url"] == "/my/certifications")
        self.assertEqual(tile["value"], "1", "a member counts their own")
        response = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["prm_certification_count"]}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.json()["result"]["prm_certification_count"], 3)

    def test_pass_through_the_website(self):
        """A Partner Member takes the certification survey on the website."""
        survey = self.other_survey
        question = survey.question_ids
        self._login(self.portal_a_member)
        base = survey.get_base_url()
        response = self.url_open(f"/survey/start/{survey.access_token}")
        self.assertEqual(response.status_code, 200)
        user_input = self.env["survey.user_input"].search(
            [("survey_id", "=", survey.id)]
        )
        self.assertEqual(user_input.partner_id, self.person_a2)
        token = user_input.access_token
        page = self.url_open(f"/survey/{survey.access_token}/{token}")
        csrf_token = re.search(
            r'input.+csrf_token.+value="([a-f0-9]{40}o[0-9]*)"', page.text
        ).group(1)
        self.opener.post(
            url=f"{base}/survey/begin/{survey.access_token}/{token}", json={}
        )
        right = question.suggested_answer_ids.filtered("is_correct")
        response = self.opener.post(
            url=f"{base}/survey/submit/{survey.access_token}/{token}",
            json={
                "params": {
                    "question_id": question.id,
                    str(question.id): str(right.id),
                    "csrf_token": csrf_token,
                    "token": token,
                    "button_submit": "next",
                }
            },
        )
        self.assertEqual(response.status_code, 200)
        user_input.invalidate_recordset()
        self.assertEqual(user_input.state, "done")
        record = self._record(self.person_a2, self.other_certification)
        self.assertTrue(record, "passing on the website records the certification")
        self.assertEqual(record.user_input_id, user_input)
        body = self.url_open("/my/certifications").text
        self.assertIn(f"/my/certifications/{record.id}", body)
