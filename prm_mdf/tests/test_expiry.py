# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestExpiry(PrmMdfCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.next_period = cls.env["prm.mdf.period"].create(
            {
                "date_from": cls.period.date_to + timedelta(days=1),
                "budget": 5000.0,
                "allocation_rule": "manual",
            }
        )
        # B already has an allocation in the next period
        cls.next_b = cls.env["prm.mdf.allocation"].create(
            {
                "period_id": cls.next_period.id,
                "partner_id": cls.partner_b.id,
                "amount": 400.0,
            }
        )

    def test_close_expires_and_rolls_over(self):
        """A: 2000 allocated, 300 approved (committed), 500 claimed and paid
        later: 1200 remain, half of it rolls over. B: 1000 unused, 500 extend
        its existing allocation."""
        committed = self._approved_request(amount=300.0)
        claimed = self._approved_request(amount=500.0, title="Webinar")
        claim = self._claim(claimed, 500.0)
        self.period.action_close()
        self.assertEqual(self.period.state, "closed")
        self.assertRecordValues(
            self.alloc_a | self.alloc_b,
            [
                {
                    "state": "expired",
                    "amount_expired": 1200.0,
                    "amount_rolled_over": 600.0,
                },
                {
                    "state": "expired",
                    "amount_expired": 1000.0,
                    "amount_rolled_over": 500.0,
                },
            ],
        )
        next_a = self.next_period.allocation_ids.filtered(
            lambda a: a.partner_id == self.partner_a
        )
        self.assertRecordValues(
            next_a,
            [
                {
                    "origin": "rollover",
                    "amount": 0.0,
                    "rollover_amount": 600.0,
                    "amount_allocated": 600.0,
                    "rollover_source_id": self.alloc_a.id,
                }
            ],
        )
        self.assertRecordValues(
            self.next_b,
            [
                {
                    "origin": "manual",
                    "amount": 400.0,
                    "rollover_amount": 500.0,
                    "amount_allocated": 900.0,
                    "rollover_source_id": self.alloc_b.id,
                }
            ],
        )
        # rolled-over funds do not use the next period's budget
        self.assertEqual(self.next_period.amount_budgeted, 400.0)
        self.assertEqual(self.next_period.amount_allocated, 1500.0)
        # what was committed or claimed stays reserved; nothing else remains
        balances = self._balances(self.alloc_a)
        self.assertEqual(balances["committed"], 300.0)
        self.assertEqual(balances["claimed"], 500.0)
        self.assertEqual(balances["remaining"], 0.0)
        self.assertEqual(self.period.amount_remaining, 0.0)
        self.assertEqual(self.period.amount_expired, 2200.0)
        # the committed request can still be claimed, the claim approved
        later = self._claim(committed, 300.0)
        claim.action_approve()
        later.action_approve()
        self.assertEqual(self._balances(self.alloc_a)["claimed"], 800.0)
        # new requests go to the next period once it is open
        with self.assertRaisesRegex(UserError, "No funds are allocated"):
            self._request(amount=100.0, submit=True)
        self.next_period.action_open()
        request = self._request(amount=100.0, submit=True)
        self.assertEqual(request.allocation_id, next_a)

    def test_generation_keeps_rolled_over_funds(self):
        self.period.action_close()
        next_a = self.next_period.allocation_ids.filtered(
            lambda a: a.partner_id == self.partner_a
        )
        self.tier_bronze.prm_mdf_amount = 250.0
        self.next_period.allocation_rule = "tier"
        self.next_period.action_generate_allocations()
        self.assertEqual(next_a.origin, "tier")
        self.assertEqual(next_a.amount, 250.0)
        self.assertEqual(next_a.rollover_amount, 1000.0)
        self.assertEqual(next_a.amount_allocated, 1250.0)
        self.assertEqual(self.next_b.amount, 400.0, "manual allocations stay")

    def test_without_rollover_everything_expires(self):
        self.period.rollover_percent = 0.0
        self.period.action_close()
        self.assertEqual(self.alloc_a.amount_expired, 2000.0)
        self.assertEqual(self.alloc_a.amount_rolled_over, 0.0)
        self.assertEqual(self.next_b.rollover_amount, 0.0)
        self.assertEqual(len(self.next_period.allocation_ids), 1)

    def test_without_next_period_rollover_is_lost(self):
        self.next_period.unlink()
        self.period.action_close()
        self.assertEqual(self.alloc_a.amount_expired, 2000.0)
        self.assertEqual(self.alloc_a.amount_rolled_over, 0.0)
        self.assertIn("could not roll over", self.period.message_ids[0].body)

    def test_cron_closes_ended_periods(self):
        self.env["prm.mdf.period"]._cron_close_periods()
        self.assertEqual(self.period.state, "open", "the period is running")
        ended = self.env["prm.mdf.period"].create(
            {
                "date_from": self.period.date_from - timedelta(days=200),
                "period_type": "quarter",
                "budget": 1000.0,
                "rollover_percent": 100.0,
            }
        )
        ended.action_open()
        old = self.env["prm.mdf.allocation"].create(
            {"period_id": ended.id, "partner_id": self.partner_a.id, "amount": 100}
        )
        self.env["prm.mdf.period"]._cron_close_periods()
        self.assertEqual(ended.state, "closed")
        self.assertEqual(old.state, "expired")
        self.assertEqual(self.period.state, "open")
        # the next period of the ended one is the current one
        self.assertEqual(self.alloc_a.rollover_amount, 100.0)
        self.assertEqual(self.alloc_a.rollover_source_id, old)
        self.assertEqual(self._balances(self.alloc_a)["remaining"], 2100.0)
