# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestAnalytics(DealCommon):
    """Decision time, currency conversion, the analysis report (win rate) and
    the partner scorecard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])

    def _decided(self, partner, state, submitted, decided, **values):
        """A registration moved straight to ``state`` with the given dates."""
        registration = self._registration(partner, **values)
        registration._prm_transition().write(
            {
                "state": state,
                "date_submitted": submitted,
                "date_decided": decided,
            }
        )
        return registration

    def _report(self, domain, groupby, aggregates):
        self.env.flush_all()
        return self.env["prm.deal.registration.report"]._read_group(
            domain, groupby, aggregates
        )

    def test_approval_date_and_decision_time(self):
        registration = self._submitted(self.partner_a)
        self.assertFalse(registration.date_approved)
        self.assertEqual(registration.decision_hours, 0.0)
        registration._prm_transition().write(
            {"date_submitted": datetime(2026, 3, 2, 8, 0)}
        )
        registration.action_approve()
        self.assertEqual(registration.state, "approved")
        self.assertTrue(registration.date_approved)
        self.assertEqual(registration.date_approved, registration.date_decided)
        expected = (
            registration.date_decided - datetime(2026, 3, 2, 8, 0)
        ).total_seconds() / 3600.0
        # stored with one decimal: within half a tenth of the exact value
        self.assertAlmostEqual(registration.decision_hours, expected, delta=0.0501)
        self.assertAlmostEqual(
            registration.decision_days, expected / 24.0, delta=0.0501
        )

    def test_rejection_counts_returned_does_not(self):
        rejected = self._decided(
            self.partner_a,
            "rejected",
            datetime(2026, 3, 2, 8, 0),
            datetime(2026, 3, 3, 20, 0),
        )
        self.assertEqual(rejected.decision_hours, 36.0)
        self.assertEqual(rejected.decision_days, 1.5)
        self.assertFalse(rejected.date_approved)
        returned = self._decided(
            self.partner_a,
            "returned",
            datetime(2026, 3, 2, 8, 0),
            datetime(2026, 3, 2, 9, 0),
        )
        self.assertEqual(returned.decision_hours, 0.0)

    def test_expected_revenue_converted_to_company_currency(self):
        registration = self._registration(
            self.partner_a, currency_id=self.eur.id, expected_revenue=1000.0
        )
        self.assertEqual(registration.company_currency_id, self.env.company.currency_id)
        self.assertEqual(registration.expected_revenue_company, 500.0)
        same = self._registration(self.partner_a, expected_revenue=1000.0)
        self.assertEqual(same.expected_revenue_company, 1000.0)
        self.env.flush_all()
        report = self.env["prm.deal.registration.report"].search(
            [("registration_id", "in", (registration | same).ids)]
        )
        self.assertEqual(sum(report.mapped("expected_revenue")), 1500.0)
        self.assertEqual(report.currency_id, self.env.company.currency_id)

    def test_report_win_rate_and_decision_time(self):
        day = datetime(2026, 3, 2, 8, 0)
        for state, hours in (("won", 10), ("won", 20), ("won", 30), ("lost", 40)):
            self._decided(self.partner_a, state, day, day + timedelta(hours=hours))
        self._decided(self.partner_a, "approved", day, day + timedelta(hours=2))
        self._registration(self.partner_a)  # a draft: no decision, not closed
        self._decided(self.partner_b, "lost", day, day + timedelta(hours=1))
        rows = {
            partner: values
            for partner, *values in self._report(
                [("partner_id", "in", (self.partner_a | self.partner_b).ids)],
                ["partner_id"],
                [
                    "registration_count:sum",
                    "won_count:sum",
                    "lost_count:sum",
                    "closed_count:sum",
                    "open_count:sum",
                    "win_rate:avg",
                    "decision_hours:avg",
                ],
            )
        }
        count, won, lost, closed, open_, rate, hours = rows[self.partner_a]
        self.assertEqual((count, won, lost, closed, open_), (6, 3, 1, 4, 1))
        self.assertEqual(rate, 75.0, "3 won out of 4 closed")
        self.assertEqual(hours, (10 + 20 + 30 + 40 + 2) / 5, "drafts do not count")
        self.assertEqual(rows[self.partner_b][5], 0.0)
        # by tier and partner type too
        [(grade, rate)] = self._report(
            [("partner_id", "in", (self.partner_a | self.partner_b).ids)],
            ["grade_id"],
            ["win_rate:avg"],
        )
        self.assertEqual(grade, self.tier_bronze)
        self.assertEqual(rate, 60.0, "3 won out of 5 closed")
        [(partner_type, count)] = self._report(
            [("partner_id", "=", self.partner_a.id)],
            ["partner_type"],
            ["registration_count:sum"],
        )
        self.assertEqual((partner_type, count), ("reseller", 6))

    def test_report_follows_record_rules(self):
        mine = self._registration(self.partner_a)
        other = self._registration(self.partner_b)
        self.env.flush_all()
        Report = self.env["prm.deal.registration.report"].with_user(self.user_channel)
        rows = Report.search([("registration_id", "in", (mine | other).ids)])
        self.assertEqual(rows.registration_id, mine)

    def test_scorecard(self):
        day = datetime(2026, 3, 2, 8, 0)
        for state in ("won", "won", "lost", "rejected"):
            self._decided(self.partner_a, state, day, day)
        self._submitted(self.partner_a)
        self._registration(self.partner_a)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.partner_a | self.partner_b,
            [
                {
                    "prm_registration_open_count": 1,
                    "prm_registration_won_count": 2,
                    "prm_registration_win_rate": 66.7,
                },
                {
                    "prm_registration_open_count": 0,
                    "prm_registration_won_count": 0,
                    "prm_registration_win_rate": 0.0,
                },
            ],
        )

    def test_scorecard_is_set_based(self):
        partners = self.partner_a | self.partner_b
        for i in range(8):
            partners |= self._create_member(f"Scorecard partner {i}")
        for partner in partners:
            self._registration(partner)

        def read(records):
            self.env.invalidate_all()
            records.mapped("prm_registration_win_rate")
            records.mapped("prm_registration_open_count")

        read(partners)  # warm the caches up
        before = self.env.cr.sql_log_count
        read(partners[:2])
        two = self.env.cr.sql_log_count - before
        self.assertLessEqual(two, 2)
        with self.assertQueryCount(two):
            read(partners)
