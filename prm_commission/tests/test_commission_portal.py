# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

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
