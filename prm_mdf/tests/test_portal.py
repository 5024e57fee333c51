# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.prm_portal.tests.common import PrmPortalCommon

from ..controllers.portal import PrmMdfPortal
from ..tools import MAX_UPLOAD_SIZE
from .common import JPEG_DATA, PDF_DATA, PNG_DATA, ooxml


@tagged("post_install", "-at_install")
class TestFundsPortal(PrmPortalCommon):
    """Partner A (admin, member) and partner B (admin) in the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        # a period of its own: no overlap with the periods of the database
        cls.period = cls.env["prm.mdf.period"].create(
            {
                "name": "Portal test period",
                "date_from": date(2098, 1, 1),
                "budget": 5000.0,
                "allocation_rule": "manual",
            }
        )
        cls.period.action_open()
        Allocation = cls.env["prm.mdf.allocation"]
        cls.alloc_a = Allocation.create(
            {"period_id": cls.period.id, "partner_id": cls.partner_a.id, "amount": 2000}
        )
        cls.alloc_b = Allocation.create(
            {"period_id": cls.period.id, "partner_id": cls.partner_b.id, "amount": 1000}
        )
        cls.req_a = cls._portal_request(cls.admin_a, "Alpha expo booth", 300.0)
        cls.req_a_member = cls._portal_request(
            cls.member_a, "Alpha member webinar", 200.0
        )
        cls.req_a_approved = cls._portal_request(
            cls.admin_a, "Alpha roadshow", 800.0, submit=True
        )
        cls.req_a_approved._action_approve(700.0)
        cls.req_b = cls._portal_request(cls.admin_b, "Bravo secret summit", 400.0)
        cls.req_b_approved = cls._portal_request(
            cls.admin_b, "Bravo hidden campaign", 500.0, submit=True
        )
        cls.req_b_approved._action_approve()

    @classmethod
    def _portal_request(cls, user, title, amount, submit=False):
        request = (
            cls.env["prm.mdf.request"]
            .with_user(user)
            .create(
                {
                    "title": title,
                    "activity_type": "event",
                    "date_start": cls.today,
                    "date_end": cls.today + timedelta(days=1),
                    "amount_requested": amount,
                }
            )
        )
        if submit:
            request.action_submit()
        return request.with_user(cls.env.user)

    def _claim_counts(self):
        return (
            self.env["prm.mdf.claim"].search_count([]),
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "prm.mdf.claim")]
            ),
        )

    def _post_claim(self, fund_request, files, amount="500"):
        return self.url_open(
            f"/my/funds/request/{fund_request.id}/claim",
            data={"csrf_token": self.csrf_token(), "amount": amount},
            files=[("proof_files", file) for file in files],
        )

    # Overview ---------------------------------------------------------------

    def test_overview_shows_own_funds_only(self):
        self.login(self.admin_a)
        response = self.url_open("/my/funds")
        self.assertEqual(response.status_code, 200)
        body = response.text
        self.assertIn("Portal test period", body)
        self.assertIn(f"prm_allocation_{self.alloc_a.id}", body)
        # 2000 - 300 (draft, not committed) - 700 approved = 1300 remaining
        self.assertIn("1,300.00", body)
        for request in (self.req_a, self.req_a_member, self.req_a_approved):
            self.assertIn(request.title, body)
        self.assertNotIn(f"prm_allocation_{self.alloc_b.id}", body)
        self.assertNotIn("Bravo", body)
        self.assertIn("/my/funds/request/new", body)
        filtered = self.url_open("/my/funds?filterby=approved").text
        self.assertIn("Alpha roadshow", filtered)
        self.assertNotIn("Alpha expo booth", filtered)

    def test_overview_pager(self):
        self.login(self.admin_a)
        with patch.object(PrmMdfPortal, "_items_per_page", 2):
            first = self.url_open("/my/funds?sortby=date").text
            second = self.url_open("/my/funds/page/2?sortby=date").text
        self.assertIn("/my/funds/page/2", first)
        # newest first: the approved request was created last
        self.assertIn("Alpha roadshow", first)
        self.assertIn("Alpha member webinar", first)
        self.assertNotIn("Alpha expo booth", first)
        self.assertIn("Alpha expo booth", second)
        self.assertNotIn("Alpha roadshow", second)

    def test_member_sees_own_requests_and_company_balance(self):
        self.login(self.member_a)
        body = self.url_open("/my/funds").text
        self.assertIn("Alpha member webinar", body)
        self.assertNotIn("Alpha expo booth", body)
        self.assertIn(f"prm_allocation_{self.alloc_a.id}", body)
        response = self.url_open(f"/my/funds/request/{self.req_a.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn("Alpha expo booth", response.text)

    def test_anonymous_is_redirected_to_login(self):
        self.authenticate(None, None)
        for url in (
            "/my/funds",
            "/my/funds/request/new",
            f"/my/funds/request/{self.req_a.id}",
        ):
            response = self.url_open(url)
            self.assertIn("/web/login", response.url, url)
            self.assertNotIn("Alpha expo booth", response.text)

    def test_non_member_is_redirected(self):
        self.login(self.customer_portal)
        response = self.url_open("/my/funds")
        self.assertTrue(response.url.endswith("/my"), response.url)

    def test_dashboard_tile_and_home_counter(self):
        self.login(self.admin_a)
        body = self.url_open("/my/partner").text
        self.assertIn("Remaining Funds", body)
        self.assertIn("1,300.00", body)
        self.assertIn('href="/my/funds"', body)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["prm_mdf_request_count"]}
        )
        self.assertEqual(counters["prm_mdf_request_count"], 3)

    # Isolation between partners ---------------------------------------------

    def test_other_partner_requests_are_out_of_reach(self):
        self.login(self.admin_a)
        for fund_request in (self.req_b, self.req_b_approved):
            for url in (
                f"/my/funds/request/{fund_request.id}",
                f"/my/funds/request/{fund_request.id}/edit",
            ):
                response = self.url_open(url)
                self.assertTrue(response.url.endswith("/my"), url)
                self.assertNotIn("Bravo", response.text)
        for action in ("submit", "cancel"):
            response = self.url_open(
                f"/my/funds/request/{self.req_b.id}/{action}",
                data={"csrf_token": self.csrf_token()},
            )
            self.assertNotIn("Bravo", response.text)
        self.assertEqual(self.req_b.state, "draft")
        claims = self._claim_counts()
        response = self._post_claim(
            self.req_b_approved, [("proof.pdf", PDF_DATA, "application/pdf")]
        )
        self.assertNotIn("Bravo", response.text)
        self.assertEqual(self._claim_counts(), claims)
        self.assertEqual(self.req_b_approved.state, "approved")
        # a missing record is no different
        response = self.url_open("/my/funds/request/999999999")
        self.assertTrue(response.url.endswith("/my"))

    # Request form -------------------------------------------------------------

    def _form(self, **values):
        data = {
            "csrf_token": self.csrf_token(),
            "title": "Alpha partner day",
            "activity_type": "training",
            "date_start": str(self.today + timedelta(days=3)),
            "date_end": str(self.today + timedelta(days=4)),
            "amount_requested": "450",
            "currency_id": str(self.env.company.currency_id.id),
            "expected_leads": "12",
            "expected_revenue": "15000",
            "description": "A day of demos for our customers",
            "action": "submit",
        }
        data.update(values)
        return data

    def test_request_form_validation(self):
        self.login(self.admin_a)
        self.assertEqual(self.url_open("/my/funds/request/new").status_code, 200)
        count = self.env["prm.mdf.request"].search_count([])
        response = self.url_open(
            "/my/funds/request/new",
            data=self._form(
                title="",
                date_end=str(self.today - timedelta(days=5)),
                amount_requested="-3",
                expected_leads="many",
                activity_type="party",
            ),
        )
        self.assertEqual(response.status_code, 400)
        for message in (
            "Name the activity",
            "cannot end before it starts",
            "Enter the amount you request",
            "whole number of leads",
            "Choose the type of activity",
        ):
            self.assertIn(message, response.text)
        self.assertEqual(self.env["prm.mdf.request"].search_count([]), count)

    def test_request_form_submits_and_reserves(self):
        self.login(self.member_a)
        response = self.url_open(
            "/my/funds/request/new",
            data=self._form(),
            files={"plan_file": ("plan.pdf", PDF_DATA, "application/pdf")},
        )
        self.assertEqual(response.status_code, 200)
        created = self.env["prm.mdf.request"].search(
            [("title", "=", "Alpha partner day")]
        )
        self.assertEqual(len(created), 1)
        self.assertIn(f"/my/funds/request/{created.id}", response.url)
        self.assertIn("Your request is submitted", response.text)
        self.assertRecordValues(
            created,
            [
                {
                    "partner_id": self.partner_a.id,
                    "requester_id": self.member_a.id,
                    "state": "submitted",
                    "amount_requested": 450.0,
                    "expected_leads": 12,
                    "activity_type": "training",
                    "plan_filename": "plan.pdf",
                    "allocation_id": self.alloc_a.id,
                }
            ],
        )
        self.assertEqual(
            self.alloc_a._prm_balances()[self.alloc_a.id]["remaining"], 850.0
        )

    def test_request_form_refuses_more_than_remaining(self):
        self.login(self.admin_a)
        count = self.env["prm.mdf.request"].search_count([])
        response = self.url_open(
            "/my/funds/request/new", data=self._form(amount_requested="1300.01")
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("remain in the allocation", response.text)
        self.assertEqual(self.env["prm.mdf.request"].search_count([]), count)
        # as a draft it is kept
        response = self.url_open(
            "/my/funds/request/new",
            data=self._form(amount_requested="1300.01", action="save"),
        )
        self.assertIn("saved as a draft", response.text)
        self.assertEqual(self.env["prm.mdf.request"].search_count([]), count + 1)

    def test_request_form_refuses_bad_plan(self):
        self.login(self.admin_a)
        count = self.env["prm.mdf.request"].search_count([])
        response = self.url_open(
            "/my/funds/request/new",
            data=self._form(),
            files={
                "plan_file": ("plan.exe", b"MZ\x90\x00binary", "application/x-dosexec")
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "only PDF, PNG, JPEG, XLSX and DOCX files are accepted", response.text
        )
        self.assertEqual(self.env["prm.mdf.request"].search_count([]), count)

    def test_edit_and_submit_own_draft(self):
        self.login(self.admin_a)
        response = self.url_open(f"/my/funds/request/{self.req_a.id}/edit")
        self.assertIn("Alpha expo booth", response.text)
        self.url_open(
            f"/my/funds/request/{self.req_a.id}/edit",
            data=self._form(title="Alpha expo booth XL", amount_requested="350"),
        )
        self.assertEqual(self.req_a.title, "Alpha expo booth XL")
        self.assertEqual(self.req_a.state, "submitted")
        # no more edits once submitted
        response = self.url_open(f"/my/funds/request/{self.req_a.id}/edit")
        self.assertIn(f"/my/funds/request/{self.req_a.id}", response.url)
        self.assertNotIn("Save as Draft", response.text)

    # Request page and claim --------------------------------------------------

    def test_request_page(self):
        self.login(self.admin_a)
        response = self.url_open(f"/my/funds/request/{self.req_a_approved.id}")
        self.assertEqual(response.status_code, 200)
        body = response.text
        self.assertIn("Alpha roadshow", body)
        self.assertIn("prm_fund_claim_form", body)
        self.assertIn("Communication with your channel manager", body)
        self.assertIn("o_portal_chatter", body)
        self.assertNotIn("Bravo", body)

    def test_claim_with_proofs(self):
        self.login(self.admin_a)
        response = self._post_claim(
            self.req_a_approved,
            [
                ("invoice.pdf", PDF_DATA, "application/pdf"),
                ("booth.png", PNG_DATA, "image/png"),
                ("crowd.JPG", JPEG_DATA, "image/jpeg"),
                ("report.docx", ooxml("docx"), "application/octet-stream"),
                ("leads.xlsx", ooxml("xlsx"), "application/octet-stream"),
            ],
            amount="650",
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your claim is submitted", response.text)
        claim = self.req_a_approved.claim_ids
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.state, "submitted")
        self.assertEqual(claim.amount, 650.0)
        self.assertEqual(claim.requester_id, self.admin_a)
        self.assertEqual(
            sorted(claim.proof_attachment_ids.mapped("name")),
            ["booth.png", "crowd.JPG", "invoice.pdf", "leads.xlsx", "report.docx"],
        )
        self.assertEqual(set(claim.proof_attachment_ids.mapped("res_id")), {claim.id})
        self.assertEqual(self.req_a_approved.state, "claimed")
        # claimed: no second claim form
        body = self.url_open(f"/my/funds/request/{self.req_a_approved.id}").text
        self.assertNotIn("prm_fund_claim_form", body)
        self.assertIn("invoice.pdf", body)

    def test_claim_upload_refusals_store_nothing(self):
        self.login(self.admin_a)
        before = self._claim_counts()
        big_pdf = b"%PDF-1.4\n" + (b"0" * 1023 + b"\n") * (MAX_UPLOAD_SIZE // 1024)
        cases = [
            ([("huge.pdf", big_pdf, "application/pdf")], "larger than 10 MB"),
            ([("tool.exe", b"MZ\x90\x00", "application/octet-stream")], "only PDF"),
            ([("fake.pdf", PNG_DATA, "application/pdf")], "not a real PDF file"),
            ([("fake.png", PDF_DATA, "image/png")], "not a real PNG file"),
            ([("sheet.xlsx", ooxml("zip"), "application/zip")], "not a real XLSX"),
            ([("doc.docx", ooxml("xlsx"), "application/zip")], "not a real DOCX"),
            (
                [
                    ("good.pdf", PDF_DATA, "application/pdf"),
                    ("bad.pdf", b"<html>", "application/pdf"),
                ],
                "bad.pdf is not a real PDF",
            ),
            ([], "Attach your proof of performance"),
        ]
        for files, message in cases:
            with self.subTest(message=message):
                response = self._post_claim(self.req_a_approved, files)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertIn("Your claim was not sent", response.text)
                self.assertEqual(self._claim_counts(), before)
        response = self._post_claim(
            self.req_a_approved,
            [("invoice.pdf", PDF_DATA, "application/pdf")],
            amount="700.01",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("at most the approved amount", response.text)
        self.assertEqual(self._claim_counts(), before)
        self.assertEqual(self.req_a_approved.state, "approved")

    def test_claim_after_deadline_refused(self):
        self.req_a_approved.sudo().write(
            {
                "date_start": self.today - timedelta(days=90),
                "date_end": self.today - timedelta(days=89),
            }
        )
        self.login(self.admin_a)
        body = self.url_open(f"/my/funds/request/{self.req_a_approved.id}").text
        self.assertNotIn("prm_fund_claim_form", body)
        self.assertIn("The claim deadline passed", body)
        before = self._claim_counts()
        response = self._post_claim(
            self.req_a_approved, [("invoice.pdf", PDF_DATA, "application/pdf")]
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("claim deadline", response.text)
        self.assertEqual(self._claim_counts(), before)
