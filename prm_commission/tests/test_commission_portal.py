# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PrmCommissionCommon


@tagged("post_install", "-at_install")
class TestCommissionPortal(PrmCommissionCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls._make_invoice(cls.partner_a, [(cls.licence, 1, 1000.0)])
        cls.invoice_b = cls._make_invoice(cls.partner_b, [(cls.licence, 3, 1000.0)])
        statements = cls.env["prm.commission.statement"]._prm_generate_statements(
            cls.jan.replace(day=31)
        )
        cls.statement_a = statements.filtered(lambda st: st.partner_id == cls.partner_a)
        cls.statement_b = statements - cls.statement_a
        cls.statement_b.action_approve()
        cls.line_a = cls.statement_a.line_ids
        cls.line_b = cls.statement_b.line_ids
        cls.admin_a = cls._portal_user("admin_a", cls.partner_a, admin=True)
        cls.admin_b = cls._portal_user("admin_b", cls.partner_b, admin=True)
        cls.member_a = cls._portal_user("member_a", cls.partner_a, admin=False)

    @classmethod
    def _portal_user(cls, login, partner, admin):
        role = "group_prm_partner_admin" if admin else "group_prm_partner_member"
        user = mail_new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_portal,prm_base.{role}",
            company_id=cls.env.company.id,
        )
        user.partner_id.parent_id = partner
        return user

    def _get(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response

    def _csrf_token(self, html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def test_anonymous_is_sent_to_login(self):
        for url in (
            "/my/commissions",
            f"/my/commissions/{self.statement_a.id}",
            f"/my/commissions/{self.statement_a.id}?report_type=pdf",
        ):
            response = self.url_open(url)
            self.assertIn("/web/login", response.url, url)
            self.assertNotIn(self.statement_a.name, response.text)

    def test_partner_admin_sees_own_statements(self):
        self.authenticate("admin_a", "admin_a")
        page = self._get("/my/commissions").text
        self.assertIn(self.statement_a.name, page)
        self.assertNotIn(self.statement_b.name, page)
        self.assertIn("Earned this year", page)
        self.assertIn("In review", page, "A's draft statement")
        page = self._get("/my/commissions?filterby=approved&sortby=amount").text
        self.assertNotIn(self.statement_a.name, page, "A's statement is a draft")

        detail = self._get(f"/my/commissions/{self.statement_a.id}").text
        self.assertIn(self.line_a.name, detail)
        self.assertIn("prm_commission_pdf", detail)
        self.assertNotIn(self.line_b.name, detail)

        pdf = self._get(
            f"/my/commissions/{self.statement_a.id}?report_type=pdf&download=true"
        )
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        self.assertIn(self.statement_a.name, pdf.text)  # HTML in test mode

        dashboard = self._get("/my/partner").text
        self.assertIn("Commissions earned this year", dashboard)
        self.assertIn("/my/commissions", dashboard)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["prm_commission_count"]}
        )
        self.assertEqual(counters["prm_commission_count"], 1)

    def test_partner_cannot_open_another_partners_statement(self):
        self.authenticate("admin_a", "admin_a")
        for url in (
            f"/my/commissions/{self.statement_b.id}",
            f"/my/commissions/{self.statement_b.id}?report_type=pdf&download=true",
            f"/my/commissions/{self.statement_b.id}?report_type=html",
            "/my/commissions/999999",
        ):
            response = self.url_open(url)
            self.assertTrue(response.url.endswith("/my"), url)
            self.assertNotIn(self.statement_b.name, response.text, url)
            self.assertNotIn(self.line_b.name, response.text, url)

    def test_dispute_own_line_only(self):
        self.authenticate("admin_a", "admin_a")
        page = self._get(f"/my/commissions/{self.statement_a.id}").text
        token = self._csrf_token(page)
        response = self.url_open(
            f"/my/commissions/line/{self.line_b.id}/dispute",
            data={"csrf_token": token, "reason": "Not mine but let's try"},
        )
        self.assertTrue(response.url.endswith("/my"))
        self.env.invalidate_all()
        self.assertFalse(self.line_b.dispute_state)

        response = self.url_open(
            f"/my/commissions/line/{self.line_a.id}/dispute",
            data={"csrf_token": token, "reason": "The rate should be 12%"},
        )
        self.assertIn(f"/my/commissions/{self.statement_a.id}", response.url)
        self.assertIn("your dispute is sent", response.text)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.line_a,
            [
                {
                    "dispute_state": "open",
                    "dispute_reason": "The rate should be 12%",
                    "dispute_user_id": self.admin_a.id,
                }
            ],
        )
        self.assertTrue(self.line_a.dispute_deadline)
        # the partner cannot dispute twice
        response = self.url_open(
            f"/my/commissions/line/{self.line_a.id}/dispute",
            data={"csrf_token": token, "reason": "Again"},
        )
        self.assertIn("prm_error", response.url)
        self.env.invalidate_all()
        self.assertEqual(self.line_a.dispute_reason, "The rate should be 12%")

    def test_other_partner_and_member_isolation(self):
        self.authenticate("admin_b", "admin_b")
        page = self._get("/my/commissions").text
        self.assertIn(self.statement_b.name, page)
        self.assertNotIn(self.statement_a.name, page)
        response = self.url_open(f"/my/commissions/{self.statement_a.id}")
        self.assertTrue(response.url.endswith("/my"))
        # Partner Members see no commissions of their company
        self.authenticate("member_a", "member_a")
        for url in ("/my/commissions", f"/my/commissions/{self.statement_a.id}"):
            response = self.url_open(url)
            self.assertTrue(response.url.endswith("/my"), url)
            self.assertNotIn(self.statement_a.name, response.text)
        dashboard = self._get("/my/partner").text
        self.assertNotIn("Commissions earned this year", dashboard)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["prm_commission_count"]}
        )
        self.assertEqual(counters["prm_commission_count"], 0)

    # ------------------------------------------------------------------
    # Cached totals and bounded pages
    # ------------------------------------------------------------------

    def _adjustment(self, partner, amount, date=None):
        """A pending adjustment line of ``partner``, dated today by default."""
        return self.Line.create(
            {
                "name": f"Adjustment {amount}",
                "partner_id": partner.id,
                "amount": amount,
                "date": date or fields.Date.context_today(self.Line),
            }
        )

    def _live_summary(self, partner):
        """Earned this year and pending, summed from the partner's lines."""
        year = fields.Date.context_today(self.Line).year
        lines = self.Line.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        return {
            "earned": self.currency.round(
                sum(
                    lines.filtered(lambda line: line.date.year >= year).mapped(
                        "amount_company"
                    )
                )
            ),
            "pending": self.currency.round(
                sum(
                    lines.filtered(lambda line: line.state == "pending").mapped(
                        "amount_company"
                    )
                )
            ),
        }

    def _portal_summary(self, user, partner):
        summary = partner.with_user(user)._prm_commission_summary()
        return {"earned": summary["earned"], "pending": summary["pending"]}

    def _assert_summaries(self, expected_a=None):
        summary_a = self._portal_summary(self.admin_a, self.partner_a)
        self.assertEqual(summary_a, self._live_summary(self.partner_a))
        self.assertEqual(
            self._portal_summary(self.admin_b, self.partner_b),
            self._live_summary(self.partner_b),
        )
        if expected_a:
            self.assertEqual(summary_a, expected_a)

    def test_cached_totals_follow_the_lines(self):
        partner_a = self.partner_a.with_user(self.admin_a)
        self.assertTrue(partner_a._prm_commission_totals_apply())
        self.assertFalse(
            self.partner_b.with_user(self.admin_a)._prm_commission_totals_apply(),
            "another partner's figures never come from the cache",
        )
        self.assertFalse(
            self.partner_a.with_user(self.member_a)._prm_commission_totals_apply()
        )
        # the invoice line of January 2024 is pending in A's draft statement
        self._assert_summaries({"earned": 0.0, "pending": self.line_a.amount_company})
        pending = self.line_a.amount_company
        today = fields.Date.context_today(self.Line)
        adjustment = self._adjustment(self.partner_a, 100.25)
        last_year = self._adjustment(
            self.partner_a, 35.5, today.replace(year=today.year - 1, day=1)
        )
        self._adjustment(self.partner_b, 999.0)
        self._assert_summaries({"earned": 100.25, "pending": pending + 135.75})
        # changed, moved to last year, deleted
        adjustment.amount_company = 80.0
        self._assert_summaries({"earned": 80.0, "pending": pending + 115.5})
        adjustment.date = last_year.date
        self._assert_summaries({"earned": 0.0, "pending": pending + 115.5})
        last_year.unlink()
        self._assert_summaries({"earned": 0.0, "pending": pending + 80.0})
        # the statement's lines follow it: approved lines are no longer pending
        self.statement_a.action_approve()
        self.assertEqual(self.line_a.state, "approved")
        self._assert_summaries({"earned": 0.0, "pending": 80.0})
        # a new invoice of this year adds an entitlement
        invoice = self._make_invoice(
            self.partner_a, [(self.licence, 2, 1000.0)], date=today
        )
        self.assertTrue(invoice.prm_commission_line_ids)
        self._assert_summaries({"earned": 200.0, "pending": 280.0})
        self.authenticate("admin_a", "admin_a")
        self.assertIn("280.00", self._get("/my/commissions").text)

    def _page_queries(self, url):
        self._get(url)  # caches warm
        self.env.flush_all()
        count = self.cr.sql_log_count
        self._get(url)
        return self.cr.sql_log_count - count

    def _adjustments(self, indexes):
        today = fields.Date.context_today(self.Line)
        return self.Line.create(
            [
                {
                    "name": f"Adjustment {index}",
                    "partner_id": self.partner_a.id,
                    "amount": index,
                    "date": today - timedelta(days=index),
                }
                for index in indexes
            ]
        )

    def test_page_queries_do_not_grow_with_lines(self):
        self._adjustments(range(1, 3))
        self.authenticate("admin_a", "admin_a")
        urls = ("/my/commissions", "/my/partner")
        counts = {url: self._page_queries(url) for url in urls}
        self._adjustments(range(3, 46))
        for url in urls:
            self.assertEqual(self._page_queries(url), counts[url], url)
            with self.assertQueryCount(counts[url]):
                self._get(url)
        # the lines outside of statements come a page at a time
        rows = 'id="prm_commission_line_'
        page = self._get("/my/commissions").text
        self.assertEqual(page.count(rows), 20)
        self.assertIn("Adjustment 1<", page)
        self.assertIn("lines_page=2", page)
        self.assertNotIn("lines_page=0", page)
        page = self._get("/my/commissions?lines_page=3").text
        self.assertEqual(page.count(rows), 5)
        self.assertIn("Adjustment 45<", page)
        self.assertIn("lines_page=2", page)
        self.assertNotIn("lines_page=4", page)
        self.assertEqual(self._get("/my/commissions?lines_page=x").text.count(rows), 20)
