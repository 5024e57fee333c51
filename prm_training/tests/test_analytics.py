# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.tests import tagged

from .common import PrmTrainingCommon


@tagged("post_install", "-at_install")
class TestCertificationAnalytics(PrmTrainingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_a.country_id = cls.env.ref("base.hu")
        cls.certification_2 = cls.env["prm.certification"].create(
            {
                "name": "Certified Engineer",
                "survey_id": cls._create_certification_survey("Engineer Exam").id,
                "validity_months": 12,
                "renewal_days": 30,
            }
        )
        PartnerCertification = cls.env["prm.partner.certification"]
        # A1: valid sales + engineer; A2: expiring sales; A3: expired engineer
        cls.valid = PartnerCertification.create(
            [
                {
                    "partner_id": cls.person_a1.id,
                    "certification_id": certification.id,
                    "date_obtained": cls.today - timedelta(days=30),
                }
                for certification in (cls.certification, cls.certification_2)
            ]
        )
        cls.expiring = PartnerCertification.create(
            {
                "partner_id": cls.person_a2.id,
                "certification_id": cls.certification.id,
                "date_obtained": cls.today - timedelta(days=30),
                "expiry_date": cls.today + timedelta(days=10),
            }
        )
        cls.expired = PartnerCertification.create(
            {
                "partner_id": cls.person_a3.id,
                "certification_id": cls.certification_2.id,
                "date_obtained": cls.today - timedelta(days=400),
                "expiry_date": cls.today - timedelta(days=20),
            }
        )
        cls.partner_a.date_partnership = cls.today - timedelta(days=10)

    def test_analysis_dimensions(self):
        records = self.valid | self.expiring | self.expired
        self.assertEqual(set(records.mapped("country_id")), {self.env.ref("base.hu")})
        groups = self.env["prm.partner.certification"]._read_group(
            [("id", "in", records.ids)],
            ["certification_id", "state", "country_id", "partner_type", "grade_id"],
            ["__count"],
        )
        counts = {
            (certification, state): count
            for certification, state, _country, _type, _grade, count in groups
        }
        self.assertEqual(
            counts,
            {
                (self.certification, "valid"): 1,
                (self.certification, "expiring"): 1,
                (self.certification_2, "valid"): 1,
                (self.certification_2, "expired"): 1,
            },
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_training.prm_partner_certification_action_analysis"
        )
        self.assertTrue(action["view_mode"].startswith("pivot,graph"))
        menu = self.env.ref("prm_training.prm_menu_certification_analysis")
        self.assertEqual(menu.parent_id, self.env.ref("prm_base.prm_menu_reporting"))
        self.assertEqual(menu.sequence, 50)

    def test_scorecard(self):
        partners = self.partner_a | self.partner_b
        self.assertEqual(self.partner_a.prm_certification_count, 3)
        self.assertEqual(self.partner_a.prm_certified_people_count, 2)
        self.assertEqual(self.partner_b.prm_certified_people_count, 0)
        with self.assertQueryCount(1):
            partners.invalidate_recordset(["prm_certified_people_count"])
            partners.mapped("prm_certified_people_count")

    def test_churn_signals(self):
        self.partner_a._prm_compute_churn_risk()
        signals = self.partner_a.prm_churn_signals
        # a new member: only the certification signals
        self.assertIn("1 certification expires within 30 days", signals)
        self.assertIn(
            "1 certification expired in the last 90 days without renewal", signals
        )
        self.assertEqual(self.partner_a.prm_churn_score, 15)
        self.assertEqual(self.partner_a.prm_churn_risk, "low")
        self.env["res.config.settings"].create(
            {"prm_churn_certification_days": 5}
        ).execute()
        self.partner_a._prm_compute_churn_risk()
        self.assertNotIn("expire within", self.partner_a.prm_churn_signals)
        self.assertEqual(self.partner_a.prm_churn_score, 10)

    def test_churn_signals_set_based(self):
        partners = self.partner_a | self.partner_b
        signals = partners._prm_churn_signals()
        self.assertEqual(len(signals[self.partner_a.id]), 2)
        self.assertFalse(
            [
                message
                for _weight, message in signals[self.partner_b.id]
                if "certification" in message
            ]
        )
