# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import difflib
from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.prm_base.tests.common import PrmCommon


@tagged("post_install", "-at_install")
class TestChurnRisk(PrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.long_ago = cls.today - timedelta(days=400)
        (cls.partner_a | cls.partner_b).write({"date_partnership": cls.long_ago})
        cls.portal_group = cls.env.ref("base.group_portal")

    @classmethod
    def _member(cls, name, **values):
        return cls._create_member(
            name, cls.user_channel, date_partnership=cls.long_ago, **values
        )

    @classmethod
    def _portal_user(cls, partner, login):
        user = cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "parent_id": partner.id,
                "groups_id": [(6, 0, cls.portal_group.ids)],
            }
        )
        return user

    def _login(self, user, days_ago=0):
        log = self.env["res.users.log"].with_user(user).sudo().create({})
        if days_ago:
            self.env.cr.execute(
                "UPDATE res_users_log SET create_date = now() - %s * interval '1 day' "
                "WHERE id = %s",
                (days_ago, log.id),
            )
            log.invalidate_recordset()
        return log

    def _make_healthy(self, partner):
        """Recent opportunity, recent portal login, steady revenue."""
        self._opportunity(partner, 1000.0)
        self._login(self._portal_user(partner, f"user_{partner.id}"))

    def test_falling_revenue_and_inactivity(self):
        self._invoice(self.partner_a, 1000.0, days_ago=120)
        self._invoice(self.partner_a, 400.0, days_ago=20)
        levels = self.partner_a._prm_compute_churn_risk()
        self.assertEqual(levels, {self.partner_a.id: "high"})
        signals = self.partner_a.prm_churn_signals.split("\n")
        self.assertEqual(len(signals), 3)
        self.assertIn(
            "Attributed revenue of the last 90 days is 60% below the previous 90 days",
            signals[0],
        )
        self.assertIn("No opportunity or deal registration attributed yet", signals[1])
        self.assertIn("No Partner Program portal login yet", signals[2])
        # 15 + 60 // 4 for the revenue, 25 for no opportunity, 20 for no login
        self.assertEqual(self.partner_a.prm_churn_score, 75)
        self.assertEqual(self.partner_a.prm_churn_risk, "high")
        self.assertTrue(self.partner_a.prm_churn_date)
        note = self.partner_a.message_ids[:1]
        self.assertIn("Churn risk up from None to High", note.body)
        self.assertIn("60%", note.body)

    def test_healthy_partner(self):
        self._invoice(self.partner_a, 1000.0, days_ago=120)
        self._invoice(self.partner_a, 900.0, days_ago=20)
        self._make_healthy(self.partner_a)
        self.partner_a._prm_compute_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "none")
        self.assertEqual(self.partner_a.prm_churn_score, 0)
        self.assertFalse(self.partner_a.prm_churn_signals)

    def test_old_activity_figures(self):
        lead = self._opportunity(self.partner_a, 1000.0)
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = now() - interval '150 days' "
            "WHERE id = %s",
            (lead.id,),
        )
        lead.invalidate_recordset()
        self._login(self._portal_user(self.partner_a, "old_login"), days_ago=75)
        self.partner_a._prm_compute_churn_risk()
        signals = self.partner_a.prm_churn_signals
        self.assertIn("No new opportunity or deal registration in 150 days", signals)
        self.assertIn("No Partner Program portal login in 75 days", signals)
        self.assertEqual(self.partner_a.prm_churn_score, 45)
        self.assertEqual(self.partner_a.prm_churn_risk, "medium")

    def test_new_member_and_excluded_revenue(self):
        """A partner that just joined has no inactivity signal; excluded
        revenue does not count."""
        self.partner_a.date_partnership = self.today - timedelta(days=10)
        self._invoice(self.partner_a, 1000.0, days_ago=120, prm_revenue_excluded=True)
        self.partner_a._prm_compute_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "none")
        self.assertFalse(self.partner_a.prm_churn_signals)

    def test_thresholds_from_settings(self):
        self._invoice(self.partner_a, 1000.0, days_ago=120)
        self._invoice(self.partner_a, 400.0, days_ago=20)
        self._make_healthy(self.partner_a)
        settings = self.env["res.config.settings"].create(
            {"prm_churn_revenue_drop": 70, "prm_churn_opportunity_days": 30}
        )
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("prm_portal.churn_revenue_drop"),
            "70",
        )
        self.partner_a._prm_compute_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "none")
        settings.prm_churn_revenue_drop = 50
        settings.execute()
        self.partner_a._prm_compute_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "medium")
        self.assertEqual(self.partner_a.prm_churn_score, 30)

    def test_risk_going_down_posts_no_note(self):
        self.partner_a._prm_compute_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "medium")
        notes = len(self.partner_a.message_ids)
        self._make_healthy(self.partner_a)
        self.partner_a._prm_compute_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "none")
        self.assertEqual(len(self.partner_a.message_ids), notes)

    def test_cron_skips_non_members(self):
        terminated = self._member("Gone Partner")
        terminated.write({"prm_state": "suspended"})
        self.env["res.partner"]._cron_prm_churn_risk()
        self.assertEqual(self.partner_a.prm_churn_risk, "medium")
        self.assertFalse(terminated.prm_churn_risk)
        self.assertFalse(self.customer.prm_churn_risk)

    def test_button_access(self):
        self.partner_a.with_user(self.user_channel).action_prm_compute_churn()
        self.assertEqual(self.partner_a.prm_churn_risk, "medium")
        with self.assertRaises(AccessError):
            self.partner_b.with_user(self.user_channel).action_prm_compute_churn()
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.user_sales).action_prm_compute_churn()

    def test_partners_at_risk_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_portal.res_partner_action_churn"
        )
        self.assertIn("search_default_my_partners", action["context"])
        self.assertIn("search_default_at_risk", action["context"])
        self.env["res.partner"]._cron_prm_churn_risk()
        at_risk = (
            self.env["res.partner"]
            .with_user(self.user_channel)
            .search(
                [
                    ("prm_state", "in", ("onboarding", "active")),
                    ("prm_channel_manager_id", "=", self.user_channel.id),
                    ("prm_churn_risk", "in", ("medium", "high")),
                ]
            )
        )
        self.assertEqual(at_risk, self.partner_a)

    def test_query_count_constant(self):
        def partners(count, prefix):
            return self.env["res.partner"].concat(
                *(self._member(f"{prefix} {index}") for index in range(count))
            )

        warmup, two, ten = partners(2, "Warm"), partners(2, "Two"), partners(10, "Ten")
        for group in (warmup, two, ten):
            self._invoice(group[0], 500.0, days_ago=120)
            self._invoice(group[1], 500.0, days_ago=120)
        counts = []
        for group in (two, ten):
            # same caches (rules, parameters) for both measures
            warmup._prm_compute_churn_risk()
            self.env.flush_all()
            self.env.invalidate_all()
            queries = []
            execute = self.env.cr.execute

            def log(
                query,
                params=None,
                log_exceptions=True,
                queries=queries,
                execute=execute,
            ):
                queries.append(str(query)[:120])
                return execute(query, params, log_exceptions)

            with patch.object(self.env.cr, "execute", log):
                group._prm_compute_churn_risk()
                self.env.flush_all()
            counts.append(queries)
        self.assertEqual(
            len(counts[0]),
            len(counts[1]),
            "\n".join(difflib.unified_diff(counts[0], counts[1], lineterm="")),
        )
        self.assertEqual(set(ten.mapped("prm_churn_risk")), {"high", "medium"})

    def test_dashboard_charts(self):
        arch = self.env.ref("prm_base.prm_dashboard_board_view").get_combined_arch()
        self.assertIn("Partners at Risk by Tier", arch)
        self.assertIn("NPS by Tier", arch)
