# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import tagged

from .common import PrmCommissionCommon


@tagged("post_install", "-at_install")
class TestAnalytics(PrmCommissionCommon):
    """Commissions of invoices in a foreign currency, the analysis report and
    the partner scorecard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 2 EUR for one unit of company currency in January, 4 from February
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2000-01-01", 2.0), ("2024-02-01", 4.0)]
        )
        cls.jan_end = fields.Date.to_date("2024-01-31")
        cls.feb_end = fields.Date.to_date("2024-02-29")

    def test_foreign_invoices_convert_at_their_rate(self):
        jan = self._make_invoice(
            self.partner_a, [(self.licence, 1, 1000.0)], currency=self.eur
        )
        feb = self._make_invoice(
            self.partner_a,
            [(self.licence, 1, 1000.0)],
            date=self.feb,
            currency=self.eur,
        )
        self.assertRecordValues(
            self._lines(jan) | self._lines(feb),
            [
                {"currency_id": self.eur.id, "amount": 100.0, "amount_company": 50.0},
                {"currency_id": self.eur.id, "amount": 100.0, "amount_company": 25.0},
            ],
        )
        statement = self.Statement._prm_generate_statements(
            self.feb_end, self.partner_a
        )
        self.assertEqual(statement.currency_id, self.currency)
        self.assertEqual(statement.amount_total, 75.0)
        statement.action_approve()
        bill = statement.action_create_bill()
        self.assertEqual(bill.currency_id, self.currency)
        self.assertEqual(bill.amount_total, 75.0)
        self.assertEqual(bill.company_id, self.company)

    def test_foreign_margin_and_fixed_rules(self):
        self.rule.write({"rate_type": "margin", "rate": 25.0})
        # 2000 EUR = 1000 in company currency, cost 600: margin 400, 25% = 100
        invoice = self._make_invoice(
            self.partner_a, [(self.licence, 1, 2000.0)], currency=self.eur
        )
        line = self._lines(invoice)
        self.assertEqual(line.amount_company, 100.0)
        self.assertEqual(line.amount, 200.0)
        self.rule.write({"rate_type": "fixed", "fixed_amount": 15.0})
        invoice = self._make_invoice(
            self.partner_b, [(self.licence, 2, 500.0)], date=self.feb, currency=self.eur
        )
        line = self._lines(invoice)
        self.assertEqual(line.amount_company, 30.0, "fixed amounts: company currency")
        self.assertEqual(line.amount, 120.0)

    def test_report(self):
        self.partner_a.country_id = self.env.ref("base.hu")
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        self._make_invoice(
            self.partner_a,
            [(self.licence, 1, 1000.0)],
            date=self.feb,
            currency=self.eur,
        )
        self._make_invoice(self.partner_b, [(self.licence, 3, 1000.0)])
        statement = self.Statement._prm_generate_statements(
            self.jan_end, self.partner_a
        )
        statement.action_approve()
        self.env.flush_all()
        Report = self.env["prm.commission.report"]
        rows = Report.search(
            [("partner_id", "in", (self.partner_a | self.partner_b).ids)]
        )
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows.currency_id, self.currency)
        groups = {
            partner: (amount, unpaid, count)
            for partner, amount, unpaid, count in Report._read_group(
                [("id", "in", rows.ids)],
                ["partner_id"],
                ["amount:sum", "amount_unpaid:sum", "line_count:sum"],
            )
        }
        self.assertEqual(groups[self.partner_a], (125.0, 125.0, 2))
        self.assertEqual(groups[self.partner_b], (300.0, 300.0, 1))
        [(country, tier, partner_type, amount)] = Report._read_group(
            [("partner_id", "=", self.partner_a.id)],
            ["country_id", "grade_id", "partner_type"],
            ["amount:sum"],
        )
        self.assertEqual(
            (country, tier, partner_type, amount),
            (self.env.ref("base.hu"), self.partner_a.grade_id, "reseller", 125.0),
        )
        by_state = dict(
            Report._read_group(
                [("partner_id", "=", self.partner_a.id)], ["state"], ["amount:sum"]
            )
        )
        self.assertEqual(by_state, {"approved": 100.0, "pending": 25.0})
        # channel managers see the partners they manage
        mine = Report.with_user(self.user_channel).search([("id", "in", rows.ids)])
        self.assertEqual(mine.partner_id, self.partner_a)

    def test_scorecard(self):
        today = fields.Date.context_today(self.partner_a)
        last_year = today.replace(year=today.year - 1, month=6, day=1)
        self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)], date=today)
        self._make_invoice(self.partner_a, [(self.licence, 1, 500.0)], date=last_year)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.partner_a | self.partner_b,
            [
                {
                    "prm_commission_currency_id": self.currency.id,
                    "prm_commission_earned_year": 100.0,
                    "prm_commission_unpaid": 150.0,
                },
                {
                    "prm_commission_currency_id": self.currency.id,
                    "prm_commission_earned_year": 0.0,
                    "prm_commission_unpaid": 0.0,
                },
            ],
        )

    def test_scorecard_is_set_based(self):
        partners = self.partner_a | self.partner_b
        for i in range(8):
            partners |= self._create_member(
                f"Scorecard partner {i}", grade_id=self.tier_bronze.id
            )
        for partner in partners:
            self._make_invoice(partner, [(self.support, 1, 100.0)])

        def read(records):
            self.env.invalidate_all()
            records.mapped("prm_commission_earned_year")
            records.mapped("prm_commission_unpaid")

        read(partners)  # warm the caches up
        before = self.env.cr.sql_log_count
        read(partners[:2])
        two = self.env.cr.sql_log_count - before
        with self.assertQueryCount(two):
            read(partners)
