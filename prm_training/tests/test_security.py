# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PrmTrainingCommon


@tagged("post_install", "-at_install")
class TestSecurity(PrmTrainingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for person in (cls.person_a1, cls.person_a2, cls.person_a3, cls.person_b1):
            cls._pass(person)
        PartnerCertification = cls.env["prm.partner.certification"]
        cls.all_records = PartnerCertification.search([])
        cls.records_a = cls.all_records.filtered(
            lambda r: r.commercial_partner_id == cls.partner_a
        )
        cls.record_a2 = cls.all_records.filtered(
            lambda r: r.partner_id == cls.person_a2
        )
        cls.record_b1 = cls.all_records.filtered(
            lambda r: r.partner_id == cls.person_b1
        )

    def test_partner_admin_sees_the_company(self):
        PartnerCertification = self.env["prm.partner.certification"]
        seen = PartnerCertification.with_user(self.portal_a_admin).search([])
        self.assertEqual(seen, self.records_a)
        with self.assertRaises(AccessError):
            self.record_b1.with_user(self.portal_a_admin).read(["date_obtained"])
        with self.assertRaises(AccessError):
            self.record_a2.with_user(self.portal_a_admin).write(
                {"date_obtained": False}
            )
        with self.assertRaises(AccessError):
            PartnerCertification.with_user(self.portal_a_admin).create(
                {
                    "partner_id": self.person_a1.id,
                    "certification_id": self.certification.id,
                }
            )

    def test_partner_member_sees_own_only(self):
        PartnerCertification = self.env["prm.partner.certification"]
        seen = PartnerCertification.with_user(self.portal_a_member).search([])
        self.assertEqual(seen, self.record_a2)
        colleague = self.records_a - self.record_a2
        with self.assertRaises(AccessError):
            colleague.with_user(self.portal_a_member).read(["date_obtained"])
        with self.assertRaises(AccessError):
            self.record_b1.with_user(self.portal_a_member).read(["date_obtained"])
        self.assertEqual(
            self.env["prm.certification"].with_user(self.portal_a_member).search([]),
            self.env["prm.certification"].search([]),
            "definitions are readable",
        )

    def test_portal_user_cannot_read_the_attempt(self):
        with self.assertRaises(AccessError):
            self.record_a2.with_user(self.portal_a_member).read(["user_input_id"])

    def test_channel_managers_see_their_partners(self):
        PartnerCertification = self.env["prm.partner.certification"]
        self.assertEqual(
            PartnerCertification.with_user(self.user_channel).search([]), self.records_a
        )
        self.assertEqual(
            PartnerCertification.with_user(self.user_channel_other).search([]),
            self.record_b1,
        )
        with self.assertRaises(AccessError):
            self.record_b1.with_user(self.user_channel).read(["date_obtained"])
        self.assertEqual(
            PartnerCertification.with_user(self.user_prm_admin).search([]),
            self.all_records,
        )
        with self.assertRaises(AccessError):
            self.env["prm.certification"].with_user(self.user_channel).create(
                {"name": "Self-made", "survey_id": self.survey.id}
            )

    def test_partner_smart_button(self):
        partner = self.partner_a.with_user(self.user_channel)
        self.assertEqual(partner.prm_certification_count, 3)
        self.assertEqual(
            self.person_a1.with_user(self.user_channel).prm_certification_count, 1
        )
        action = partner.action_prm_view_certifications()
        self.assertEqual(
            self.env["prm.partner.certification"].search(action["domain"]),
            self.records_a,
        )

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Training Other Co"})
        survey = self._create_certification_survey("Other company exam")
        certification = self.env["prm.certification"].create(
            {
                "name": "Other company certification",
                "survey_id": survey.id,
                "company_id": other_company.id,
            }
        )
        self._pass(self.person_a1, survey=survey)
        foreign = self._record(self.person_a1, certification)
        self.assertEqual(foreign.company_id, other_company)
        PartnerCertification = self.env["prm.partner.certification"]
        self.assertNotIn(
            foreign, PartnerCertification.with_user(self.user_prm_admin).search([])
        )
        self.user_prm_admin.company_ids |= other_company
        visible = (
            PartnerCertification.with_user(self.user_prm_admin)
            .with_context(allowed_company_ids=[self.env.company.id, other_company.id])
            .search([])
        )
        self.assertIn(foreign, visible)
