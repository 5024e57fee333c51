# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PrmTrainingCommon


@tagged("post_install", "-at_install")
class TestTierRequirements(PrmTrainingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_survey = cls._create_certification_survey("PRM Tech Certification")
        cls.tech_certification = cls.env["prm.certification"].create(
            {"name": "Certified Engineer", "survey_id": cls.tech_survey.id}
        )
        Requirement = cls.env["prm.tier.certification.requirement"]
        Requirement.create(
            {
                "grade_id": cls.tier_silver.id,
                "certification_id": cls.certification.id,
                "min_people": 2,
            }
        )
        Requirement.create(
            {
                "grade_id": cls.tier_gold.id,
                "certification_id": cls.certification.id,
                "min_people": 2,
            }
        )
        Requirement.create(
            {
                "grade_id": cls.tier_gold.id,
                "certification_id": cls.tech_certification.id,
                "min_people": 1,
            }
        )
        cls.key = f"cert_{cls.certification.id}"
        cls.tech_key = f"cert_{cls.tech_certification.id}"

    def _evaluate(self, partners):
        partners.invalidate_recordset()
        return partners._prm_evaluate_tiers()

    def test_requirements_and_kpis(self):
        requirements = self.tier_gold._prm_requirements()
        self.assertEqual(
            {r["key"]: r["target"] for r in requirements},
            {self.key: 2, self.tech_key: 1},
        )
        self.assertTrue(all(not r["monetary"] for r in requirements))
        self._pass(self.person_a1)
        self._pass(self.person_a2)
        self._pass(self.person_b1)
        kpis = (self.partner_a | self.partner_b)._prm_compute_kpis()
        self.assertEqual(kpis[self.partner_a.id][self.key], 2)
        self.assertEqual(kpis[self.partner_a.id][self.tech_key], 0)
        self.assertEqual(kpis[self.partner_b.id][self.key], 1)
        self.assertIn("revenue_12m", kpis[self.partner_a.id], "base KPIs kept")

    def test_evaluation_upgrades_on_certified_people(self):
        self._pass(self.person_a1)
        self._pass(self.person_a2)
        self._pass(self.person_b1)
        self._evaluate(self.partner_a | self.partner_b)
        self.assertEqual(self.partner_a.grade_id, self.tier_silver)
        self.assertEqual(self.partner_b.grade_id, self.tier_bronze, "one person only")
        self._pass(self.person_a3, survey=self.tech_survey)
        self._evaluate(self.partner_a)
        self.assertEqual(self.partner_a.grade_id, self.tier_gold)
        last = self.partner_a.prm_tier_history_ids.sorted("id")[-1]
        self.assertEqual(last.reason, "upgrade")
        self.assertEqual(last.kpi_snapshot[self.key], 2)
        self.assertIn(
            "People certified: Certified Sales Professional", last.kpi_summary
        )

    def test_expired_certifications_stop_counting(self):
        self._pass(self.person_a1)
        self._pass(self.person_a2)
        self._evaluate(self.partner_a)
        self.assertEqual(self.partner_a.grade_id, self.tier_silver)
        expiry = self._record(self.person_a1).expiry_date
        with freeze_time(expiry):
            self._evaluate(self.partner_a)
            self.assertEqual(self.partner_a.grade_id, self.tier_silver, "still valid")
        with freeze_time(expiry + timedelta(days=1)):
            # before the expiry job has even run
            self._evaluate(self.partner_a)
        self.assertEqual(self.partner_a.grade_id, self.tier_bronze)
        self.assertEqual(
            self.partner_a.prm_tier_history_ids.sorted("id")[-1].reason, "downgrade"
        )

    def test_one_person_certified_twice_counts_once(self):
        self._pass(self.person_a1)
        self._pass(self.person_a1)
        kpis = self.partner_a._prm_compute_kpis()
        self.assertEqual(kpis[self.partner_a.id][self.key], 1)
        self._evaluate(self.partner_a)
        self.assertEqual(self.partner_a.grade_id, self.tier_bronze)

    def test_tier_progress_shows_requirement(self):
        self._pass(self.person_a1)
        next_grade, progress = self.partner_a._prm_tier_progress()
        self.assertEqual(next_grade, self.tier_silver)
        requirement = next(r for r in progress if r["key"] == self.key)
        self.assertEqual(
            requirement["label"], "People certified: Certified Sales Professional"
        )
        self.assertEqual(requirement["value"], 1)
        self.assertEqual(requirement["target"], 2)
        self.assertEqual(requirement["percent"], 50.0)
        self.assertFalse(requirement["met"])
        # a portal member sees the company's progress, colleagues included
        self._pass(self.person_a3)
        partner = self.partner_a.with_user(self.portal_a_member)
        _next, progress = partner._prm_tier_progress()
        requirement = next(r for r in progress if r["key"] == self.key)
        self.assertEqual(requirement["value"], 2)
        self.assertTrue(requirement["met"])

    def test_archived_certification_is_no_requirement(self):
        self.tech_certification.active = False
        keys = {r["key"] for r in self.tier_gold._prm_requirements()}
        self.assertEqual(keys, {self.key})

    def test_kpi_queries_do_not_grow_with_partners(self):
        small = self.partner_a | self.partner_b
        large = small
        for i in range(6):
            partner = self._create_member(f"Training KPI {i}")
            person = self.env["res.partner"].create(
                {"name": f"KPI person {i}", "parent_id": partner.id}
            )
            self._pass(person)
            large |= partner
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        small._prm_compute_kpis()
        small_queries = self.env.cr.sql_log_count - start
        self.env.invalidate_all()
        with self.assertQueryCount(small_queries):
            kpis = large._prm_compute_kpis()
        self.assertEqual(kpis[large[-1].id][self.key], 1)
