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

    def _tier_change_scenario(self, count, prefix):
        """``count`` partners of each outcome of the evaluation: upgrade,
        downgrade after the grace period, end of an override, and a pending
        downgrade (no change yet)."""
        yesterday = self.today - timedelta(days=1)
        kinds = {"upgrade": [], "downgrade": [], "override_end": [], "pending": []}
        for i in range(count):
            upgrade = self._create_member(f"{prefix} upgrade {i}")
            self._invoice(upgrade, 1500.0)  # meets Silver
            self._opportunity(upgrade, 100.0)
            kinds["upgrade"].append(upgrade)
            downgrade = self._create_member(f"{prefix} downgrade {i}")
            downgrade.with_context(prm_tier_evaluation=True).write(
                {
                    "grade_id": self.tier_gold.id,
                    "prm_downgrade_since": self.today - timedelta(days=31),
                    "prm_downgrade_grade_id": self.tier_bronze.id,
                }
            )
            self._opportunity(downgrade, 100.0)
            kinds["downgrade"].append(downgrade)
            ended = self._create_member(f"{prefix} override {i}")
            ended.with_context(prm_tier_evaluation=True).write(
                {
                    "grade_id": self.tier_gold.id,
                    "prm_tier_override_id": self.tier_gold.id,
                    "prm_tier_override_reason": "Launch partner",
                    "prm_tier_override_until": yesterday,
                }
            )
            kinds["override_end"].append(ended)
            pending = self._create_member(f"{prefix} pending {i}")
            self._make_gold(pending)
            kinds["pending"].append(pending)
        self.env.flush_all()
        self.env.invalidate_all()
        return {
            kind: self.env["res.partner"].concat(*partners)
            for kind, partners in kinds.items()
        }

    def _evaluation_queries(self, partners):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        changes = partners._prm_evaluate_tiers()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start, changes

    def test_query_count_does_not_grow_with_partners(self):
        self.tier_silver.partner_weight = 7
        # the first evaluation fills caches of the registry
        # the first evaluation of each outcome fills caches (registry,
        # translations): warm up on one partner of each
        warm_up = self._tier_change_scenario(1, "Warm-up")
        self._evaluation_queries(self.env["res.partner"].concat(*warm_up.values()))
        small = self._tier_change_scenario(2, "Small")
        large = self._tier_change_scenario(10, "Large")
        small_queries, small_changes = self._evaluation_queries(
            self.env["res.partner"].concat(*small.values())
        )
        self.assertEqual(len(small_changes), 6)
        large_partners = self.env["res.partner"].concat(*large.values())
        messages_before = self.env["mail.message"].search_count(
            [("model", "=", "res.partner"), ("res_id", "in", large_partners.ids)]
        )
        large_queries, changes = self._evaluation_queries(large_partners)
        self.assertEqual(
            large_queries, small_queries, "5x partners, same number of queries"
        )

        # the batched writes keep grades, pending downgrades and overrides
        upgraded, downgraded = large["upgrade"], large["downgrade"]
        ended, pending = large["override_end"], large["pending"]
        self.assertEqual(len(changes), 30)
        self.assertEqual(upgraded.grade_id, self.tier_silver)
        self.assertEqual(downgraded.grade_id, self.tier_bronze)
        self.assertEqual(ended.grade_id, self.tier_bronze)
        self.assertEqual(pending.grade_id, self.tier_gold)
        self.assertEqual(changes[upgraded[0].id], self.tier_silver.id)
        self.assertFalse(
            (upgraded | downgraded | ended).filtered("prm_downgrade_since")
        )
        self.assertFalse(downgraded.prm_downgrade_grade_id)
        self.assertEqual(set(pending.mapped("prm_downgrade_since")), {self.today})
        self.assertEqual(pending.prm_downgrade_grade_id, self.tier_bronze)
        self.assertFalse(ended.prm_tier_override_id)
        self.assertFalse(any(ended.mapped("prm_tier_override_reason")))
        self.assertFalse(any(ended.mapped("prm_tier_override_until")))
        # what write() would have recomputed follows the new tier
        self.assertEqual(set(upgraded.mapped("partner_weight")), {7})
        self.assertEqual(
            set(upgraded.mapped("grade_sequence")), {self.tier_silver.sequence}
        )
        leads = self.env["crm.lead"].search(
            [("prm_channel_partner_id", "in", (upgraded | downgraded).ids)]
        )
        self.assertEqual(len(leads), 20)
        for lead in leads:
            self.assertEqual(
                lead.prm_channel_grade_id, lead.prm_channel_partner_id.grade_id
            )

        # every change is tracked: a history row with its KPIs and a note
        history = self.env["prm.tier.history"].search(
            [("partner_id", "in", large_partners.ids)]
        )
        self.assertEqual(len(history.filtered(lambda h: h.reason != "entry")), 30)
        self.assertFalse(
            history.filtered(lambda h: h.partner_id in pending and h.reason != "entry")
        )
        for partners, reason, from_grade, to_grade in (
            (upgraded, "upgrade", self.tier_bronze, self.tier_silver),
            (downgraded, "downgrade", self.tier_gold, self.tier_bronze),
            (ended, "override_end", self.tier_gold, self.tier_bronze),
        ):
            for partner in partners:
                row = partner.prm_tier_history_ids.sorted("id")[-1]
                self.assertEqual(row.reason, reason)
                self.assertEqual(row.from_grade_id, from_grade)
                self.assertEqual(row.to_grade_id, to_grade)
                self.assertEqual(row.company_id, partner.company_id)
                self.assertEqual(row.user_id, self.env.user)
                self.assertEqual(
                    row.kpi_snapshot["revenue_12m"],
                    1500.0 if reason == "upgrade" else 0.0,
                )
                notes = partner.message_ids.filtered(
                    lambda m, to_grade=to_grade: to_grade.name in (m.body or "")
                )
                self.assertEqual(len(notes), 1, "the change is noted in the chatter")
                self.assertIn(from_grade.name, notes.body)
                self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
                self.assertEqual(notes.message_type, "notification")
        self.assertIn(
            "grace period 30 days",
            downgraded[0].prm_tier_history_ids.sorted("id")[-1].note,
        )
        self.assertEqual(
            self.env["mail.message"].search_count(
                [("model", "=", "res.partner"), ("res_id", "in", large_partners.ids)]
            )
            - messages_before,
            30,
            "no note without a change",
        )
