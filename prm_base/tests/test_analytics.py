# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PrmCommon


@tagged("post_install", "-at_install")
class TestAnalytics(PrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # EUR: 2 per USD (the test company's currency) since 2017
        cls.eur = cls.setup_other_currency("EUR")
        cls.Report = cls.env["prm.revenue.report"]

    def _rows(self, partner, report=None):
        report = report if report is not None else self.Report
        return report.search([("partner_id", "=", partner.id)])

    # ------------------------------------------------------------------
    # Attributed revenue report
    # ------------------------------------------------------------------

    def test_revenue_report_rows_and_totals(self):
        partner = self.partner_a
        invoice = self._invoice(partner, 3000.0)
        refund = self._invoice(partner, 500.0, move_type="out_refund")
        attributed = self._invoice(
            self.customer, 2000.0, prm_channel_partner_id=partner.id
        )
        foreign = self.init_invoice(
            "out_invoice",
            partner=partner,
            invoice_date=self.today - timedelta(days=5),
            amounts=[1000.0],
            taxes=self.env["account.tax"],
            currency=self.eur,
            post=True,
        )
        self._invoice(self.customer, 7000.0)  # not attributed
        self._invoice(partner, 400.0, move_type="out_refund", prm_revenue_excluded=True)
        draft = self.init_invoice(
            "out_invoice", partner=partner, amounts=[900.0], invoice_date=self.today
        )
        self.assertEqual(draft.state, "draft")
        self.env.flush_all()

        rows = self._rows(partner)
        self.assertEqual(rows.move_id, invoice | refund | attributed | foreign)
        by_move = {row.move_id: row for row in rows}
        self.assertEqual(by_move[invoice].amount, 3000.0)
        self.assertEqual(by_move[refund].amount, -500.0, "credit notes count negative")
        self.assertEqual(by_move[refund].quantity, -1.0)
        self.assertEqual(by_move[attributed].customer_id, self.customer)
        # 1000 EUR at 2 EUR per USD, in the company's currency
        self.assertEqual(by_move[foreign].amount_company, 500.0)
        self.assertEqual(by_move[foreign].amount, 500.0)
        self.assertEqual(
            by_move[foreign].company_currency_id, self.env.company.currency_id
        )
        self.assertEqual(sum(rows.mapped("amount")), 5000.0)
        row = by_move[invoice]
        self.assertEqual(row.grade_id, self.tier_bronze)
        self.assertEqual(row.partner_type, "reseller")
        self.assertEqual(row.channel_manager_id, self.user_channel)
        self.assertEqual(row.date, self.today - timedelta(days=10))
        # same definition as the KPIs
        kpis = partner._prm_compute_kpis()[partner.id]
        self.assertEqual(kpis["revenue_12m"], 5000.0)

    def test_revenue_report_products(self):
        product = self.product_a
        move = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            invoice_date=self.today,
            products=[product, product],
            taxes=self.env["account.tax"],
            post=True,
        )
        self.env.flush_all()
        rows = self._rows(self.partner_a)
        self.assertEqual(len(rows), 2, "one row per invoice line")
        self.assertEqual(rows.product_id, product)
        self.assertEqual(rows.product_categ_id, product.categ_id)
        self.assertEqual(sum(rows.mapped("quantity")), 2.0)
        self.assertAlmostEqual(
            sum(rows.mapped("amount")), move.amount_untaxed_signed, places=2
        )

    def test_revenue_report_group_by_dimensions(self):
        hungary = self.env.ref("base.hu")
        self.partner_a.country_id = hungary
        self.partner_b.write(
            {"prm_partner_type": "distributor", "country_id": self.env.ref("base.my")}
        )
        self.partner_b.with_context(prm_tier_evaluation=True).grade_id = self.tier_gold
        self._invoice(self.partner_a, 1000.0, days_ago=40)
        self._invoice(self.partner_a, 300.0, days_ago=5)
        self._invoice(self.partner_b, 2000.0, days_ago=5)
        self._invoice(self.partner_b, 250.0, days_ago=5, move_type="out_refund")
        self.env.flush_all()
        domain = [("partner_id", "in", (self.partner_a | self.partner_b).ids)]
        by_tier = dict(self.Report._read_group(domain, ["grade_id"], ["amount:sum"]))
        self.assertEqual(by_tier, {self.tier_bronze: 1300.0, self.tier_gold: 1750.0})
        by_type = dict(
            self.Report._read_group(domain, ["partner_type"], ["amount:sum"])
        )
        self.assertEqual(by_type, {"reseller": 1300.0, "distributor": 1750.0})
        by_country = dict(
            self.Report._read_group(domain, ["country_id"], ["amount:sum"])
        )
        self.assertEqual(by_country, {hungary: 1300.0, self.env.ref("base.my"): 1750.0})
        by_partner = dict(self.Report._read_group(domain, ["partner_id"], ["__count"]))
        self.assertEqual(by_partner, {self.partner_a: 2, self.partner_b: 2})
        by_month = self.Report._read_group(domain, ["date:month"], ["amount:sum"])
        self.assertEqual(sum(amount for _month, amount in by_month), 3050.0)
        self.assertEqual(
            {month for month, _amount in by_month},
            {
                fields.Date.start_of(self.today - timedelta(days=days), "month")
                for days in (40, 5)
            },
        )
        # the web client's read_group works too (pivot and graph views)
        groups = self.Report.read_group(
            domain, ["amount:sum"], ["grade_id", "partner_type"], lazy=False
        )
        self.assertEqual(len(groups), 2)

    def test_revenue_report_channel_manager_sees_own_partners(self):
        self._invoice(self.partner_a, 1000.0)
        self._invoice(self.partner_b, 2000.0)
        self.env.flush_all()
        own = self.Report.with_user(self.user_channel).search([])
        self.assertEqual(own.partner_id, self.partner_a)
        other = self.Report.with_user(self.user_channel_other).search([])
        self.assertEqual(other.partner_id, self.partner_b)
        everything = self.Report.with_user(self.user_prm_admin).search([])
        self.assertTrue(self.partner_a | self.partner_b <= everything.partner_id)

    # ------------------------------------------------------------------
    # Multi-company and multi-currency
    # ------------------------------------------------------------------

    def _company_eur(self):
        company = self.setup_other_company(name="PRM Europe", currency_id=self.eur.id)[
            "company"
        ]
        self.user_prm_admin.company_ids |= company
        return company

    def test_foreign_company_revenue_and_kpi_currency(self):
        company_eur = self._company_eur()
        both = [self.env.company.id, company_eur.id]
        member_eur = self._create_member(
            "Partner in Europe", self.user_channel, company_id=company_eur.id
        )
        sold_eur = self.init_invoice(
            "out_invoice",
            partner=member_eur,
            invoice_date=self.today - timedelta(days=3),
            amounts=[930.0],
            taxes=self.env["account.tax"],
            company=company_eur,
            post=True,
        )
        # the same partner also sells in the USD company
        sold_usd = self._invoice(
            self.customer, 100.0, prm_channel_partner_id=member_eur.id
        )
        # a partner shared by all companies sells in the EUR company
        sold_shared = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            invoice_date=self.today - timedelta(days=3),
            amounts=[300.0],
            taxes=self.env["account.tax"],
            company=company_eur,
            post=True,
        )
        self.env.flush_all()

        report = self.Report.with_context(allowed_company_ids=both)
        rows = {row.move_id: row for row in report.search([])}
        self.assertEqual(rows[sold_eur].company_id, company_eur)
        self.assertEqual(rows[sold_eur].amount_company, 930.0)
        self.assertEqual(rows[sold_eur].company_currency_id, self.eur)
        # converted into the current company's currency (USD) to add up
        self.assertEqual(rows[sold_eur].amount, 465.0)
        self.assertEqual(rows[sold_usd].amount, 100.0)
        self.assertEqual(rows[sold_shared].amount, 150.0)
        # amounts depend on the current company: read them afresh
        self.env.invalidate_all()
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.env.company.currency_id.id,
                "company_id": company_eur.id,
                "name": "2017-01-01",
                "rate": 0.5,
            }
        )
        report_eur = self.Report.with_context(
            allowed_company_ids=[company_eur.id, self.env.company.id]
        )
        rows_eur = {row.move_id: row for row in report_eur.search([])}
        self.assertEqual(rows_eur[sold_eur].amount, 930.0)
        self.assertEqual(rows_eur[sold_usd].amount, 200.0)

        # KPI currency rule: a partner of one company counts in its currency
        # what it sells in every company; a shared partner counts in the
        # current company's currency.
        partners = (member_eur | self.partner_a).with_context(allowed_company_ids=both)
        kpis = partners._prm_compute_kpis()
        self.assertEqual(kpis[member_eur.id]["revenue_12m"], 1130.0)
        self.assertEqual(kpis[self.partner_a.id]["revenue_12m"], 150.0)
        partners._prm_store_kpis(kpis)
        self.assertEqual(member_eur.prm_kpi_currency_id, self.eur)
        self.assertEqual(member_eur.prm_revenue_12m, 1130.0)
        self.assertEqual(
            self.partner_a.prm_kpi_currency_id, self.env.company.currency_id
        )
        self.assertEqual(self.partner_a.prm_revenue_12m, 150.0)

    def test_tier_thresholds_compare_in_kpi_currency(self):
        company_eur = self._company_eur()
        member_eur = self._create_member(
            "Partner in Europe", self.user_channel, company_id=company_eur.id
        )
        self.init_invoice(
            "out_invoice",
            partner=member_eur,
            invoice_date=self.today - timedelta(days=3),
            amounts=[1500.0],
            taxes=self.env["account.tax"],
            company=company_eur,
            post=True,
        )
        # Silver needs 1000 USD = 2000 EUR: 1500 EUR is not enough
        member_eur._prm_evaluate_tiers()
        self.assertEqual(member_eur.grade_id, self.tier_bronze)
        _next, progress = member_eur._prm_tier_progress()
        self.assertEqual(progress[0]["target"], 2000.0)
        self.assertEqual(progress[0]["value"], 1500.0)
        self.assertFalse(progress[0]["met"])
        self.init_invoice(
            "out_invoice",
            partner=member_eur,
            invoice_date=self.today - timedelta(days=2),
            amounts=[600.0],
            taxes=self.env["account.tax"],
            company=company_eur,
            post=True,
        )
        member_eur._prm_evaluate_tiers()
        self.assertEqual(member_eur.grade_id, self.tier_silver)
        self.assertEqual(member_eur.prm_revenue_12m, 2100.0)
        self.assertEqual(member_eur.prm_kpi_currency_id, self.eur)

    def test_company_isolation(self):
        company_a = self.env.company
        company_b = self._company_eur()
        user_b = mail_new_test_user(
            self.env,
            login="prm_channel_b",
            groups="base.group_user,prm_base.group_prm_user",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        member_a = self._create_member("Member of A", user_b, company_id=company_a.id)
        member_b = self._create_member("Member of B", user_b, company_id=company_b.id)
        Agreement = self.env["prm.agreement"]
        agreement_a = Agreement.create(
            {"name": "NDA A", "partner_id": member_a.id, "company_id": company_a.id}
        )
        agreement_b = Agreement.create(
            {"name": "NDA B", "partner_id": member_b.id, "company_id": company_b.id}
        )
        self._invoice(member_a, 1000.0)
        invoice_b = self.init_invoice(
            "out_invoice",
            partner=member_b,
            invoice_date=self.today - timedelta(days=3),
            amounts=[800.0],
            taxes=self.env["account.tax"],
            company=company_b,
            post=True,
        )
        lead_a, lead_b = self.env["crm.lead"].create(
            [
                {
                    "name": f"Deal of {member.name}",
                    "type": "opportunity",
                    "company_id": company.id,
                    "user_id": False,
                    "prm_channel_partner_id": member.id,
                }
                for member, company in ((member_a, company_a), (member_b, company_b))
            ]
        )
        self.env.flush_all()
        self.assertTrue(member_a.prm_tier_history_ids)
        self.assertTrue(member_b.prm_tier_history_ids)

        env_b = self.env(user=user_b, context={"allowed_company_ids": [company_b.id]})
        partners = env_b["res.partner"].search([("prm_state", "!=", False)])
        self.assertIn(member_b, partners)
        self.assertNotIn(member_a, partners)
        self.assertEqual(env_b["prm.agreement"].search([]), agreement_b)
        self.assertNotIn(agreement_a, env_b["prm.agreement"].search([]))
        history = env_b["prm.tier.history"].search([])
        self.assertEqual(history.partner_id, member_b)
        rows = env_b["prm.revenue.report"].search([])
        self.assertEqual(rows.move_id, invoice_b)
        self.assertEqual(rows.amount, 800.0, "in company B's currency")
        self.assertEqual(
            env_b["crm.lead"].search(
                [("prm_channel_partner_id", "in", (member_a | member_b).ids)]
            ),
            lead_b,
        )
        # the same user sees both once allowed in both companies
        user_b.company_ids |= company_a
        env_ab = self.env(
            user=user_b, context={"allowed_company_ids": [company_b.id, company_a.id]}
        )
        both = env_ab["prm.revenue.report"].search([])
        self.assertEqual(both.partner_id, member_a | member_b)
        self.assertEqual(
            env_ab["crm.lead"].search(
                [("prm_channel_partner_id", "in", (member_a | member_b).ids)]
            ),
            lead_a | lead_b,
        )

    # ------------------------------------------------------------------
    # Pipeline and tier analytics
    # ------------------------------------------------------------------

    def test_pipeline_dimensions_follow_the_partner(self):
        self.partner_a.country_id = self.env.ref("base.hu")
        lead = self._opportunity(self.partner_a, 1000.0)
        self._opportunity(self.partner_b, 4000.0)
        self.assertEqual(lead.prm_channel_grade_id, self.tier_bronze)
        self.assertEqual(lead.prm_channel_partner_type, "reseller")
        self.assertEqual(lead.prm_channel_country_id, self.env.ref("base.hu"))
        self.partner_a.with_context(prm_tier_evaluation=True).grade_id = self.tier_gold
        self.partner_a.prm_partner_type = "var"
        self.assertEqual(lead.prm_channel_grade_id, self.tier_gold)
        self.assertEqual(lead.prm_channel_partner_type, "var")
        groups = dict(
            self.env["crm.lead"]._read_group(
                [
                    ("type", "=", "opportunity"),
                    (
                        "prm_channel_partner_id",
                        "in",
                        self.partner_a.ids + self.partner_b.ids,
                    ),
                ],
                ["prm_channel_grade_id"],
                ["expected_revenue:sum"],
            )
        )
        self.assertEqual(groups, {self.tier_gold: 1000.0, self.tier_bronze: 4000.0})
        # searching and sorting join the partner's current tier
        Lead = self.env["crm.lead"]
        domain = [
            ("prm_channel_partner_id", "in", (self.partner_a | self.partner_b).ids)
        ]
        self.assertEqual(
            Lead.search(domain + [("prm_channel_grade_id", "=", self.tier_gold.id)]),
            lead,
        )
        self.assertEqual(
            Lead.search(domain + [("prm_channel_partner_type", "=", "var")]), lead
        )
        ordered = Lead.search(domain, order="prm_channel_grade_id, id")
        self.assertEqual(
            ordered.mapped("prm_channel_grade_id"),
            (self.tier_bronze | self.tier_gold).sorted(lambda g: (g.sequence, g.id)),
        )

    def test_tier_history_analysis(self):
        self.partner_a.with_context(tracking_disable=True).grade_id = self.tier_silver
        domain = [("partner_id", "in", (self.partner_a | self.partner_b).ids)]
        groups = dict(
            self.env["prm.tier.history"]._read_group(domain, ["reason"], ["__count"])
        )
        self.assertEqual(groups, {"entry": 2, "manual": 1})
        by_tier = dict(
            self.env["prm.tier.history"]._read_group(
                domain + [("date", ">=", fields.Datetime.to_datetime(self.today))],
                ["to_grade_id"],
                ["__count"],
            )
        )
        self.assertEqual(by_tier, {self.tier_bronze: 2, self.tier_silver: 1})
        partners = {
            (grade, kind, state): count
            for grade, kind, state, count in self.env["res.partner"]._read_group(
                [("id", "in", (self.partner_a | self.partner_b).ids)],
                ["grade_id", "prm_partner_type", "prm_state"],
                ["__count"],
            )
        }
        self.assertEqual(
            partners,
            {
                (self.tier_silver, "reseller", "active"): 1,
                (self.tier_bronze, "reseller", "active"): 1,
            },
        )

    # ------------------------------------------------------------------
    # Scorecard
    # ------------------------------------------------------------------

    def test_scorecard_values(self):
        partner = self.partner_a
        partner.date_partnership = self.today - timedelta(days=30)
        self._invoice(partner, 800.0)
        self._invoice(partner, 300.0, move_type="out_refund")
        self._invoice(partner, 1000.0, days_ago=400)  # previous 12 months
        self._invoice(partner, 5000.0, days_ago=800)  # before that
        self._opportunity(partner, 1000.0, "won")
        self._opportunity(partner, 3000.0, "won")
        self._opportunity(partner, 800.0, "lost")
        self._opportunity(partner, 2500.0)
        partner.invalidate_recordset()
        self.assertEqual(partner.prm_score_currency_id, self.env.company.currency_id)
        self.assertEqual(partner.prm_score_revenue_12m, 500.0)
        self.assertEqual(partner.prm_score_revenue_prev_12m, 1000.0)
        self.assertEqual(partner.prm_score_revenue_trend, -50.0)
        self.assertEqual(partner.prm_score_pipeline_value, 2500.0)
        self.assertEqual(partner.prm_score_won_count, 2)
        self.assertAlmostEqual(partner.prm_score_win_rate, 66.67)
        self.assertEqual(partner.prm_score_avg_deal_size, 2000.0)
        self.assertEqual(partner.prm_score_grade_id, self.tier_bronze)
        self.assertEqual(partner.prm_score_next_grade_id, self.tier_silver)
        # Silver needs 1000 of revenue: 500 is half way
        self.assertEqual(partner.prm_score_tier_progress, 50.0)
        self.assertEqual(partner.prm_score_days_since_join, 30)
        # no previous revenue: no trend; top tier: no next tier
        self.partner_b.with_context(prm_tier_evaluation=True).grade_id = self.tier_gold
        self._invoice(self.partner_b, 700.0)
        self.partner_b.invalidate_recordset()
        self.assertEqual(self.partner_b.prm_score_revenue_trend, 0.0)
        self.assertFalse(self.partner_b.prm_score_next_grade_id)
        self.assertEqual(self.partner_b.prm_score_tier_progress, 100.0)
        # not a program member: empty scorecard
        self.assertEqual(self.customer.prm_score_revenue_12m, 0.0)
        self.assertFalse(self.customer.prm_score_next_grade_id)

    def test_scorecard_query_count_does_not_grow(self):
        def scenario(count, prefix):
            partners = self.env["res.partner"]
            for i in range(count):
                partner = self._create_member(f"{prefix} {i}")
                self._invoice(partner, 400.0 + i)
                self._invoice(partner, 100.0, days_ago=500)
                self._opportunity(partner, 1000.0, "won")
                self._opportunity(partner, 500.0)
                partners |= partner
            self.env.flush_all()
            self.env.invalidate_all()
            return partners

        score_fields = [
            "prm_score_revenue_12m",
            "prm_score_revenue_prev_12m",
            "prm_score_revenue_trend",
            "prm_score_pipeline_value",
            "prm_score_win_rate",
            "prm_score_avg_deal_size",
            "prm_score_next_grade_id",
            "prm_score_tier_progress",
            "prm_score_days_since_join",
        ]

        def measure(partners):
            self.env.invalidate_all()
            self.env.user.read(["company_id"])  # same user cache for both
            start = self.env.cr.sql_log_count
            values = partners.read(score_fields)
            return self.env.cr.sql_log_count - start, values

        small = scenario(2, "Small")
        small.read(score_fields)  # warm-up: tiers, rates and metadata
        small_queries, _values = measure(small)
        large = scenario(10, "Large")
        large_queries, values = measure(large)
        self.assertEqual(large_queries, small_queries)
        large.invalidate_recordset(score_fields)
        with self.assertQueryCount(small_queries):
            large.read(score_fields)
        self.assertEqual(len(values), 10)
        self.assertEqual(values[3]["prm_score_revenue_12m"], 403.0)
        self.assertEqual(values[3]["prm_score_revenue_prev_12m"], 100.0)
        self.assertEqual(values[3]["prm_score_pipeline_value"], 500.0)
        self.assertEqual(values[3]["prm_score_next_grade_id"][0], self.tier_silver.id)
        self.assertAlmostEqual(values[3]["prm_score_tier_progress"], 40.3)

    def test_scorecard_in_partner_form(self):
        arch = self.env["res.partner"].get_view(
            self.env.ref("base.view_partner_form").id, "form"
        )["arch"]
        page = etree.fromstring(arch).find(".//page[@name='prm_scorecard']")
        self.assertIsNotNone(page)
        left = page.find(".//group[@name='prm_scorecard_left']")
        right = page.find(".//group[@name='prm_scorecard_right']")
        self.assertIsNotNone(left.find("field[@name='prm_score_revenue_12m']"))
        self.assertIsNotNone(right.find("field[@name='prm_score_tier_progress']"))

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------

    def test_dashboard_board_view(self):
        view = self.env.ref("prm_base.prm_dashboard_board_view")
        self.assertEqual(view.model, "board.board")
        arch = self.env["board.board"].get_view(view.id, "form")["arch"]
        root = etree.fromstring(arch)
        columns = [column.get("name") for column in root.iter("column")]
        self.assertEqual(columns[:2], ["prm_dashboard_left", "prm_dashboard_right"])
        actions = list(root.iter("action"))
        self.assertGreaterEqual(len(actions), 4)
        for node in actions:
            action = self.env["ir.actions.act_window"].browse(int(node.get("name")))
            self.assertTrue(action.exists(), node.get("string"))
            view_mode = node.get("view_mode")
            self.assertIn(view_mode, action.view_mode.split(","))
            views = {mode: view_id for view_id, mode in action.views}
            model = self.env[action.res_model].with_user(self.user_channel)
            result = model.get_views(
                [
                    (views.get(view_mode, False), view_mode),
                    (action.search_view_id.id, "search"),
                ]
            )
            self.assertIn(view_mode, result["views"])
            graph = etree.fromstring(result["views"][view_mode]["arch"])
            self.assertEqual(graph.tag, view_mode)
        menu = self.env.ref("prm_base.prm_menu_dashboard")
        self.assertEqual(menu.parent_id, self.env.ref("prm_base.prm_menu_reporting"))
        self.assertEqual(menu.action, self.env.ref("prm_base.prm_dashboard_action"))
