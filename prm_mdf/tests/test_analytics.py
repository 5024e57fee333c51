# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.tests import tagged

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestAnalytics(PrmMdfCommon):
    """Spend and return on investment in the analysis report, claims paid in
    a foreign currency, and the partner scorecard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.env["utm.campaign"].create({"name": "Analytics Expo"})
        cls._invoice(cls.customer, 6000.0, campaign_id=cls.campaign.id)
        cls.partner_a.grade_id = cls.tier_silver
        cls.partner_b.grade_id = cls.tier_silver

    def _rows(self, domain, groupby, fields):
        self.env.flush_all()
        return self.env["prm.mdf.report"].read_group(
            domain, fields, groupby, lazy=False
        )

    def test_report_spend_and_roi(self):
        paid = self._approved_request(
            amount=1000.0, approved=800.0, campaign_id=self.campaign.id
        )
        claim = self._claim(paid, 600.0)
        claim.action_approve()
        self._pay(claim.move_id)
        claimed = self._approved_request(
            partner=self.partner_b, amount=300.0, campaign_id=self.campaign.id
        )
        self._claim(claimed, 200.0)
        approved = self._approved_request(amount=100.0)
        draft = self._request(amount=50.0)
        requests = paid | claimed | approved | draft
        self.env.flush_all()
        rows = self.env["prm.mdf.report"].search([("request_id", "in", requests.ids)])
        by_request = {row.request_id: row for row in rows}
        self.assertRecordValues(
            by_request[paid],
            [
                {
                    "amount_requested": 1000.0,
                    "amount_approved": 800.0,
                    "amount_claimed": 0.0,
                    "amount_paid": 600.0,
                    "roi_revenue": 3000.0,  # the campaign's 6000 shared by two
                    "roi_ratio": 5.0,
                    "grade_id": self.tier_silver.id,
                    "partner_type": "reseller",
                    "period_id": self.period.id,
                }
            ],
        )
        self.assertEqual(by_request[claimed].amount_claimed, 200.0)
        self.assertEqual(by_request[draft].amount_approved, 0.0)
        # the ratio of a group is its revenue over its paid spend
        [group] = self._rows(
            [("request_id", "in", requests.ids)],
            ["grade_id"],
            ["amount_paid:sum", "roi_revenue:sum", "roi_ratio:avg"],
        )
        self.assertEqual(group["amount_paid"], 600.0)
        self.assertEqual(group["roi_revenue"], 6000.0)
        self.assertEqual(group["roi_ratio"], 10.0)
        # partner B paid nothing: no ratio
        groups = {
            group["partner_id"][0]: group
            for group in self._rows(
                [("request_id", "in", requests.ids)], ["partner_id"], ["roi_ratio"]
            )
        }
        self.assertEqual(groups[self.partner_a.id]["roi_ratio"], 5.0)
        self.assertEqual(groups[self.partner_b.id]["roi_ratio"], 0.0)

    def test_report_follows_record_rules(self):
        mine = self._request(amount=10.0)
        other = self._request(partner=self.partner_b, amount=10.0)
        self.env.flush_all()
        rows = (
            self.env["prm.mdf.report"]
            .with_user(self.user_channel)
            .search([("request_id", "in", (mine | other).ids)])
        )
        self.assertEqual(rows.request_id, mine)

    def test_claim_in_foreign_currency_paid_at_bill_date_rate(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        request = self._approved_request(amount=1000.0, currency_id=eur.id)
        self.assertEqual(request.amount_approved_company, 500.0)
        claim = self._claim(request, 800.0)
        self.assertEqual(claim.amount_company, 400.0, "at the request's rate")
        # the euro doubled against the company currency since the request
        self.env["res.currency.rate"].create(
            {
                "name": self.today - timedelta(days=1),
                "rate": 1.0,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        claim.action_approve()
        bill = claim.move_id
        self.assertRecordValues(
            bill,
            [
                {
                    "currency_id": eur.id,
                    "amount_untaxed": 800.0,
                    "amount_total_signed": -800.0,
                    "invoice_date": self.today,
                }
            ],
        )
        self.assertEqual(claim.amount_company, 800.0, "at the bill date's rate")
        self._pay(bill)
        self.assertEqual(claim.state, "paid")
        self.assertEqual(self._balances(self.alloc_a)["paid"], 800.0)
        self.env.flush_all()
        row = self.env["prm.mdf.report"].search([("request_id", "=", request.id)])
        self.assertEqual(row.amount_paid, 800.0)
        self.assertEqual(row.currency_id, self.currency)

    def test_scorecard(self):
        request = self._approved_request(amount=500.0, approved=400.0)
        claim = self._claim(request, 300.0)
        claim.action_approve()
        self._pay(claim.move_id)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.partner_a | self.partner_b,
            [
                {
                    "prm_mdf_currency_id": self.currency.id,
                    "prm_mdf_amount_allocated": 2000.0,
                    "prm_mdf_amount_remaining": 1700.0,
                    "prm_mdf_amount_paid": 300.0,
                },
                {
                    "prm_mdf_currency_id": self.currency.id,
                    "prm_mdf_amount_allocated": 1000.0,
                    "prm_mdf_amount_remaining": 1000.0,
                    "prm_mdf_amount_paid": 0.0,
                },
            ],
        )

    def test_scorecard_is_set_based(self):
        partners = self.partner_a | self.partner_b
        Allocation = self.env["prm.mdf.allocation"]
        for i in range(8):
            partner = self._create_member(f"Scorecard partner {i}")
            Allocation.create(
                {"period_id": self.period.id, "partner_id": partner.id, "amount": 10}
            )
            partners |= partner
        for partner in partners:
            self._request(partner=partner, amount=5.0, submit=True)

        def read(records):
            self.env.invalidate_all()
            records.mapped("prm_mdf_amount_remaining")
            records.mapped("prm_mdf_amount_paid")

        read(partners)  # warm the caches up
        before = self.env.cr.sql_log_count
        read(partners[:2])
        two = self.env.cr.sql_log_count - before
        with self.assertQueryCount(two):
            read(partners)
