# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import PrmCommon


@tagged("post_install", "-at_install")
class TestTierEvaluation(PrmCommon):
    def _evaluate(self, partners):
        partners.invalidate_recordset()
        return partners._prm_evaluate_tiers()

    def _make_gold(self, partner):
        partner.with_context(prm_tier_evaluation=True).write(
            {"grade_id": self.tier_gold.id}
        )

    def test_kpis(self):
        partner = self.partner_a
        self._invoice(partner, 3000.0)
        self._invoice(partner, 500.0, move_type="out_refund")
        self._invoice(partner, 9999.0, days_ago=400)  # outside the 12 months
        self._invoice(self.customer, 2000.0, prm_channel_partner_id=partner.id)
        self._invoice(self.customer, 7000.0)  # not attributed
        # a marketing fund paid as a credit note is no revenue
        self._invoice(partner, 400.0, move_type="out_refund", prm_revenue_excluded=True)
        self._opportunity(partner, 1000.0, "won")
        self._opportunity(partner, 3000.0, "won")
        self._opportunity(partner, 800.0, "lost")
        self._opportunity(partner, 2500.0)
        self._opportunity(self.partner_b, 4000.0)
        kpis = (partner | self.partner_b)._prm_compute_kpis()
        self.assertEqual(kpis[partner.id]["revenue_12m"], 4500.0)
        self.assertEqual(kpis[partner.id]["won_count"], 2)
        self.assertEqual(kpis[partner.id]["lost_count"], 1)
        self.assertEqual(kpis[partner.id]["won_amount"], 4000.0)
        self.assertEqual(kpis[partner.id]["avg_deal_size"], 2000.0)
        self.assertEqual(kpis[partner.id]["pipeline_value"], 2500.0)
        self.assertAlmostEqual(kpis[partner.id]["win_rate"], 66.67)
        self.assertEqual(kpis[self.partner_b.id]["revenue_12m"], 0.0)
        self.assertEqual(kpis[self.partner_b.id]["pipeline_value"], 4000.0)
        self._evaluate(partner)
        self.assertEqual(partner.prm_revenue_12m, 4500.0)
        self.assertEqual(partner.prm_won_count, 2)
        self.assertEqual(partner.prm_kpi_currency_id, self.env.company.currency_id)
        self.assertTrue(partner.prm_kpi_date)

    def test_upgrade_is_immediate(self):
        partner = self.partner_a
        self.assertEqual(partner.grade_id, self.tier_bronze)
        self._invoice(partner, 6000.0)
        self._evaluate(partner)
        self.assertEqual(
            partner.grade_id, self.tier_silver, "Gold also needs 2 won deals"
        )
        self._opportunity(partner, 100.0, "won")
        self._opportunity(partner, 100.0, "won")
        self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_gold)
        history = partner.prm_tier_history_ids.sorted("id")
        self.assertEqual(history.mapped("reason"), ["entry", "upgrade", "upgrade"])
        last = history[-1]
        self.assertEqual(last.from_grade_id, self.tier_silver)
        self.assertEqual(last.to_grade_id, self.tier_gold)
        self.assertEqual(last.kpi_snapshot["revenue_12m"], 6000.0)
        self.assertEqual(last.kpi_snapshot["won_count"], 2)
        self.assertIn("Won deals", last.kpi_summary)
        note = partner.message_ids.filtered(lambda m: "Test Gold" in (m.body or ""))
        self.assertEqual(len(note), 1, "the change is noted in the chatter")
        self.assertIn("Test Silver", note.body)

    def test_downgrade_waits_for_grace_period(self):
        partner = self.partner_a
        self._make_gold(partner)
        self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_gold, "grace period running")
        self.assertEqual(partner.prm_downgrade_since, self.today)
        self.assertEqual(partner.prm_downgrade_grade_id, self.tier_bronze)
        self.assertEqual(partner.prm_downgrade_date, self.today + timedelta(days=30))
        with freeze_time(self.today + timedelta(days=29)):
            self._evaluate(partner)
            self.assertEqual(partner.grade_id, self.tier_gold)
            self.assertEqual(partner.prm_downgrade_since, self.today, "not reset")
        with freeze_time(self.today + timedelta(days=30)):
            self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_bronze)
        self.assertFalse(partner.prm_downgrade_since)
        last = partner.prm_tier_history_ids.sorted("id")[-1]
        self.assertEqual(last.reason, "downgrade")
        self.assertEqual(last.from_grade_id, self.tier_gold)
        self.assertIn("grace period 30 days", last.note)

    def test_recovery_cancels_pending_downgrade(self):
        partner = self.partner_a
        self._make_gold(partner)
        self._evaluate(partner)
        self.assertTrue(partner.prm_downgrade_since)
        self._invoice(partner, 5000.0)
        self._opportunity(partner, 100.0, "won")
        self._opportunity(partner, 100.0, "won")
        self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_gold)
        self.assertFalse(partner.prm_downgrade_since)
        self.assertFalse(partner.prm_downgrade_grade_id)

    def test_partial_downgrade_to_next_tier_met(self):
        partner = self.partner_a
        self._make_gold(partner)
        self._invoice(partner, 1500.0)
        self.tier_gold.prm_grace_days = 0
        self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_silver)

    def test_override_and_its_expiry(self):
        partner = self.partner_a
        wizard = Form(
            self.env["prm.tier.override.wizard"].with_context(
                active_model="res.partner", active_ids=partner.ids
            )
        )
        wizard.grade_id = self.tier_gold
        wizard.reason = "Strategic launch partner"
        wizard.date_until = self.today + timedelta(days=10)
        wizard.save().action_apply()
        self.assertEqual(partner.grade_id, self.tier_gold)
        self.assertEqual(partner.prm_tier_override_id, self.tier_gold)
        override_row = partner.prm_tier_history_ids.sorted("id")[-1]
        self.assertEqual(override_row.reason, "override")
        self.assertIn("Strategic launch partner", override_row.note)
        self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_gold, "override wins")
        self.assertFalse(partner.prm_downgrade_since)
        with freeze_time(self.today + timedelta(days=11)):
            self._evaluate(partner)
        self.assertEqual(partner.grade_id, self.tier_bronze)
        self.assertFalse(partner.prm_tier_override_id)
        self.assertFalse(partner.prm_tier_override_reason)
        last = partner.prm_tier_history_ids.sorted("id")[-1]
        self.assertEqual(last.reason, "override_end")
        self.assertEqual(last.from_grade_id, self.tier_gold)

    def test_override_reserved_to_admin(self):
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.user_channel).write(
                {"prm_tier_override_id": self.tier_gold.id}
            )
        self.partner_a.with_user(self.user_prm_admin).write(
            {
                "prm_tier_override_id": self.tier_gold.id,
                "prm_tier_override_reason": "Board decision",
            }
        )
        self.assertEqual(self.partner_a.prm_tier_override_id, self.tier_gold)

    def test_manual_tier_change_is_logged(self):
        self.partner_a.grade_id = self.tier_silver
        last = self.partner_a.prm_tier_history_ids.sorted("id")[-1]
        self.assertEqual(last.reason, "manual")
        self.assertEqual(last.from_grade_id, self.tier_bronze)
        self.assertEqual(last.to_grade_id, self.tier_silver)

    def test_tier_pricelist_benefit(self):
        pricelist = self.env["product.pricelist"].create({"name": "Silver prices"})
        self.tier_silver.prm_pricelist_id = pricelist
        self._invoice(self.partner_a, 1000.0)
        self._evaluate(self.partner_a)
        self.assertEqual(self.partner_a.grade_id, self.tier_silver)
        self.assertEqual(self.partner_a.property_product_pricelist, pricelist)

    def test_suspended_partners_are_frozen(self):
        self._invoice(self.partner_a, 6000.0)
        self.partner_a.action_prm_suspend()
        self.env["res.partner"]._cron_prm_evaluate_tiers()
        self.assertEqual(self.partner_a.grade_id, self.tier_bronze)

    def test_tier_progress(self):
        self._invoice(self.partner_a, 250.0)
        next_grade, progress = self.partner_a._prm_tier_progress()
        self.assertEqual(next_grade, self.tier_silver)
        self.assertEqual(len(progress), 1)
        self.assertEqual(progress[0]["value"], 250.0)
        self.assertEqual(progress[0]["target"], 1000.0)
        self.assertEqual(progress[0]["percent"], 25.0)
        self.assertFalse(progress[0]["met"])

    def test_requirement_extension_hook(self):
        """Addons add KPIs and requirements; evaluation honours them."""
        Partner = type(self.env["res.partner"])
        Grade = type(self.env["res.partner.grade"])
        orig_kpis, orig_reqs = Partner._prm_compute_kpis, Grade._prm_requirements

        def compute_kpis(partners):
            kpis = orig_kpis(partners)
            for pid in kpis:
                kpis[pid]["certified_people"] = 1 if pid == self.partner_a.id else 0
            return kpis

        def requirements(grade):
            reqs = orig_reqs(grade)
            if grade == self.tier_silver:
                reqs.append(
                    {"key": "certified_people", "label": "Certified", "target": 1}
                )
            return reqs

        self._invoice(self.partner_a, 1000.0)
        self._invoice(self.partner_b, 1000.0)
        self.patch(Partner, "_prm_compute_kpis", compute_kpis)
        self.patch(Grade, "_prm_requirements", requirements)
        self._evaluate(self.partner_a | self.partner_b)
        self.assertEqual(self.partner_a.grade_id, self.tier_silver)
        self.assertEqual(self.partner_b.grade_id, self.tier_bronze)

    def test_query_count_does_not_grow_with_partners(self):
        def scenario(count, prefix):
            partners = self.env["res.partner"]
            for i in range(count):
                partner = self._create_member(f"{prefix} {i}")
                self._invoice(partner, 1500.0)  # upgrade to silver
                gold = self._create_member(f"{prefix} gold {i}")
                self._make_gold(gold)  # pending downgrade
                partners |= partner | gold
            self.env.flush_all()
            self.env.invalidate_all()
            return partners

        small = scenario(2, "Small")
        start = self.env.cr.sql_log_count
        small._prm_evaluate_tiers()
        self.env.flush_all()
        small_queries = self.env.cr.sql_log_count - start
        self.assertEqual(
            set(small.mapped("grade_id.name")), {"Test Silver", "Test Gold"}
        )

        large = scenario(8, "Large")
        with self.assertQueryCount(small_queries):
            large._prm_evaluate_tiers()
            self.env.flush_all()
        upgraded = large.filtered(lambda p: p.grade_id == self.tier_silver)
        pending = large.filtered("prm_downgrade_since")
        self.assertEqual(len(upgraded), 8)
        self.assertEqual(len(pending), 8)
