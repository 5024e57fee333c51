# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestAllocation(PrmMdfCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.next_period = cls.env["prm.mdf.period"].create(
            {
                "date_from": cls.period.date_to + timedelta(days=1),
                "budget": 20000.0,
                "allocation_rule": "tier",
            }
        )

    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        return self.env.cr.sql_log_count - before

    # Periods ------------------------------------------------------------

    def test_period_defaults(self):
        period = self.period
        self.assertEqual(period.date_from.day, 1)
        self.assertEqual((period.date_from.month - 1) % 3, 0)
        self.assertEqual(period.date_to, self.next_period.date_from - timedelta(days=1))
        quarter = (period.date_from.month - 1) // 3 + 1
        self.assertEqual(period.name, f"Q{quarter} {period.date_from.year}")
        year = self.env["prm.mdf.period"].new(
            {"period_type": "year", "date_from": "2031-01-01"}
        )
        self.assertEqual(str(year.date_to), "2031-12-31")
        self.assertEqual(year.name, "2031")

    def test_periods_do_not_overlap(self):
        with self.assertRaisesRegex(ValidationError, "overlaps"):
            self.env["prm.mdf.period"].create(
                {
                    "date_from": self.period.date_from + timedelta(days=10),
                    "budget": 100,
                }
            )

    def test_only_admins_manage_periods(self):
        with self.assertRaises(AccessError):
            self.period.with_user(self.user_channel).action_close()
        with self.assertRaises(AccessError):
            self.next_period.with_user(self.user_channel).action_generate_allocations()

    # Budget -------------------------------------------------------------

    def test_allocations_never_exceed_budget(self):
        self.assertEqual(self.period.amount_budgeted, 3000.0)
        self.assertEqual(self.period.amount_unallocated, 7000.0)
        with self.assertRaisesRegex(ValidationError, "exceed its budget"):
            self.alloc_a.amount = 9500.0
        with self.assertRaisesRegex(ValidationError, "exceed its budget"):
            self.period.budget = 2999.0
        partner_c = self._create_member("Partner C")
        with self.assertRaisesRegex(ValidationError, "exceed its budget"):
            self.env["prm.mdf.allocation"].create(
                {
                    "period_id": self.period.id,
                    "partner_id": partner_c.id,
                    "amount": 7000.01,
                }
            )
        self.period.budget = 3000.0  # exactly allocated is fine

    def test_used_periods_and_allocations_are_kept(self):
        self._request(amount=100.0)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.alloc_a.unlink()
        with self.assertRaisesRegex(UserError, "close it instead"):
            self.period.unlink()
        self.alloc_b.unlink()
        self.assertFalse(self.alloc_b.exists())

    def test_one_allocation_per_partner_and_period(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["prm.mdf.allocation"].create(
                {"period_id": self.period.id, "partner_id": self.partner_a.id}
            )

    def test_allocation_for_program_companies_only(self):
        contact = self.env["res.partner"].create(
            {"name": "Someone at A", "parent_id": self.partner_a.id}
        )
        with self.assertRaisesRegex(ValidationError, "program partner companies"):
            self.env["prm.mdf.allocation"].create(
                {"period_id": self.next_period.id, "partner_id": contact.id}
            )

    def test_allocation_cannot_drop_below_used_funds(self):
        self._request(amount=1500.0, submit=True)
        with self.assertRaisesRegex(ValidationError, "cannot be reduced"):
            self.alloc_a.amount = 1400.0
        self.alloc_a.amount = 1500.0
        self.assertEqual(self._balances(self.alloc_a)["remaining"], 0.0)

    # Rule: per tier -----------------------------------------------------

    def test_generate_per_tier(self):
        self.tier_gold.prm_mdf_amount = 3000.0
        self.tier_silver.prm_mdf_amount = 1500.0
        self.partner_a.grade_id = self.tier_gold
        self.partner_b.grade_id = self.tier_silver
        partner_c = self._create_member("Onboarding C", state="onboarding")
        partner_c.grade_id = self.tier_gold
        partner_d = self._create_member("Suspended D")
        partner_d.grade_id = self.tier_gold
        partner_d.action_prm_suspend()
        partner_e = self._create_member("Bronze E")  # entry tier: no funds
        manual = self.env["prm.mdf.allocation"].create(
            {
                "period_id": self.next_period.id,
                "partner_id": self.partner_b.id,
                "amount": 700.0,
            }
        )
        self.next_period.action_generate_allocations()
        allocations = self.next_period.allocation_ids
        by_partner = {a.partner_id: a for a in allocations}
        self.assertEqual(by_partner[self.partner_a].amount, 3000.0)
        self.assertEqual(by_partner[self.partner_a].origin, "tier")
        self.assertEqual(by_partner[partner_c].amount, 3000.0)
        self.assertEqual(by_partner[self.partner_b], manual, "manual is kept")
        self.assertEqual(manual.amount, 700.0)
        self.assertEqual(manual.origin, "manual")
        self.assertNotIn(partner_d, by_partner, "suspended partners get no funds")
        self.assertNotIn(partner_e, by_partner, "tiers without MDF amount")
        self.assertIn("2 created, 0 updated", self.next_period.message_ids[0].body)
        # the tier amount changes: generating again updates, never duplicates
        self.tier_gold.prm_mdf_amount = 3500.0
        self.next_period.action_generate_allocations()
        self.assertEqual(len(self.next_period.allocation_ids), 3)
        self.assertEqual(by_partner[self.partner_a].amount, 3500.0)
        self.assertEqual(self.next_period.amount_budgeted, 3500.0 * 2 + 700.0)

    def test_generate_refuses_to_exceed_budget(self):
        self.tier_gold.prm_mdf_amount = 15000.0
        self.partner_a.grade_id = self.tier_gold
        self.partner_b.grade_id = self.tier_gold
        with self.assertRaisesRegex(ValidationError, "exceed its budget"):
            self.next_period.action_generate_allocations()
        self.assertFalse(self.next_period.allocation_ids)

    def test_generate_manual_rule_refused(self):
        with self.assertRaisesRegex(UserError, "by hand"):
            self.period.action_generate_allocations()

    # Rule: accrual on paid revenue --------------------------------------

    def _invoice_on(self, partner, amount, day, paid=True, **vals):
        move = self._invoice(partner, amount, days_ago=(self.today - day).days, **vals)
        if paid:
            self._pay(move)
        return move

    def test_generate_accrual_on_paid_revenue(self):
        """Paid revenue of the previous period (the current one, before
        ``next_period``), attributed or resold; refunds count negative."""
        self.next_period.write({"allocation_rule": "accrual", "accrual_percent": 10})
        a = {"prm_channel_partner_id": self.partner_a.id}
        self._invoice_on(self.customer, 10000.0, self.today, **a)
        self._invoice_on(self.customer, 5000.0, self.today, paid=False, **a)
        self._invoice_on(
            self.customer, 3000.0, self.period.date_from - timedelta(days=1), **a
        )
        self._invoice_on(self.customer, 1000.0, self.today, move_type="out_refund", **a)
        resale = self._invoice_on(self.partner_b, 2000.0, self.today)
        self.assertEqual(resale.prm_channel_partner_id, self.partner_b)
        self.assertIn(resale.payment_state, ("paid", "in_payment"))
        suspended = self._create_member("Suspended C")
        self._invoice_on(
            self.customer, 4000.0, self.today, prm_channel_partner_id=suspended.id
        )
        suspended.action_prm_suspend()

        self.next_period.action_generate_allocations()
        amounts = {
            a.partner_id: (a.amount, a.origin) for a in self.next_period.allocation_ids
        }
        self.assertEqual(
            amounts,
            {
                self.partner_a: (900.0, "accrual"),
                self.partner_b: (200.0, "accrual"),
            },
        )

    def test_accrual_needs_a_percentage(self):
        self.next_period.allocation_rule = "accrual"
        with self.assertRaisesRegex(UserError, "accrual percentage"):
            self.next_period.action_generate_allocations()

    def test_paid_revenue_is_one_query(self):
        partners = self.partner_a | self.partner_b
        many = partners | self.env["res.partner"].concat(
            *(self._create_member(f"Member {i}") for i in range(10))
        )
        window = (self.period.date_from, self.period.date_to)
        few_count = self._queries(
            lambda: self.next_period._prm_paid_revenue(partners, *window)
        )
        many_count = self._queries(
            lambda: self.next_period._prm_paid_revenue(many, *window)
        )
        self.assertLessEqual(few_count, 3)
        self.assertEqual(few_count, many_count)

    # Balances -----------------------------------------------------------

    def test_balances_are_set_based(self):
        Allocation = self.env["prm.mdf.allocation"]
        members = [self._create_member(f"Funded {i}") for i in range(8)]
        extra = Allocation.create(
            [
                {"period_id": self.period.id, "partner_id": p.id, "amount": 100}
                for p in members
            ]
        )
        for partner in members[:3]:
            self._request(partner=partner, amount=50.0, submit=True)
        few = self.alloc_a | self.alloc_b
        few_count = self._queries(lambda: few._prm_balances())
        many_count = self._queries(lambda: (few | extra)._prm_balances())
        self.assertEqual(few_count, many_count)
        self.assertLessEqual(few_count, 5)
        balances = (few | extra)._prm_balances()
        self.assertEqual(balances[extra[0].id]["committed"], 50.0)
        self.assertEqual(balances[extra[0].id]["remaining"], 50.0)
        self.assertEqual(balances[extra[5].id]["remaining"], 100.0)
