# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PrmPortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(PrmPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Resource = cls.env["prm.resource"]
        cls.res_public = Resource.create(
            {
                "name": "Price list for everyone",
                "file": base64.b64encode(b"product,price\nsuite,120\n"),
                "filename": "prices.csv",
                "state": "published",
            }
        )
        cls.res_top = Resource.create(
            {
                "name": "Top tier playbook",
                "resource_type": "url",
                "url": "https://www.example.com/top",
                "grade_ids": [(6, 0, cls.tier_top.ids)],
                "state": "published",
            }
        )
        cls.res_msp = Resource.create(
            {
                "name": "MSP runbook",
                "file": base64.b64encode(b"msp secrets"),
                "filename": "msp.txt",
                "partner_type": "msp",
                "state": "published",
            }
        )
        cls.res_draft = Resource.create(
            {"name": "Unreleased deck", "file": base64.b64encode(b"x"), "filename": "d"}
        )
        cls.res_cobranded = Resource.create(
            {
                "name": "Co-branded datasheet",
                "cobranded": True,
                "body": "<p>Great product</p>",
                "state": "published",
            }
        )
        Agreement = cls.env["prm.agreement"]
        cls.agreement_a = Agreement.create(
            {
                "name": "SLA Alpha",
                "partner_id": cls.partner_a.id,
                "portal_acceptance": True,
            }
        )
        cls.agreement_b = Agreement.create(
            {
                "name": "SLA Bravo",
                "partner_id": cls.partner_b.id,
                "portal_acceptance": True,
            }
        )

    # Dashboard ---------------------------------------------------------

    def test_dashboard_shows_own_partner_only(self):
        self.login(self.admin_a)
        response = self.url_open("/my/partner")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Alpha Reseller Kft.", response.text)
        self.assertIn("Entry Tier", response.text)
        self.assertIn("Progress to", response.text)
        self.assertIn("Top Tier", response.text)
        self.assertIn("SLA Alpha", response.text)
        self.assertNotIn("Bravo", response.text)
        self.assertNotIn("SLA Bravo", response.text)

    def test_dashboard_progress_from_the_kpi_cache(self):
        self.partner_a.grade_id = self.tier_entry
        self.assertFalse(self.partner_a.prm_kpi_date)
        # first visit: the KPIs of a partner not evaluated yet are stored once
        self.login(self.admin_a)
        response = self.url_open("/my/partner")
        self.assertIn("Progress to", response.text)
        self.assertIn("Attributed revenue", response.text)
        self.assertTrue(self.partner_a.prm_kpi_date)
        self.assertFalse(self.partner_b.prm_kpi_date, "other partners untouched")
        next_grade, live = self.partner_a.with_user(self.admin_a)._prm_tier_progress()
        self.assertEqual(next_grade, self.tier_top)
        self.assertIn(f"width: {int(live[0]['percent'])}%", response.text)
        # then the dashboard shows the cached figures, as its KPI cards
        kpis = self.partner_a._prm_compute_kpis()
        kpis[self.partner_a.id]["revenue_12m"] = 400.0
        self.partner_a._prm_store_kpis(kpis)
        response = self.url_open("/my/partner")
        self.assertIn("width: 40%", response.text)
        self.assertIn("400.00", response.text)

    def test_portal_partner_is_not_sudo(self):
        partner = self.admin_a.with_user(self.admin_a).env.user._prm_portal_partner()
        self.assertEqual(partner, self.partner_a)
        self.assertFalse(partner.env.su, "record rules apply to the portal partner")
        tasks = partner.env["prm.onboarding.task"].search([])
        self.assertFalse(tasks.partner_id - self.partner_a)

    def test_dashboard_member_sees_no_agreements(self):
        self.login(self.member_a)
        response = self.url_open("/my/partner")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Alpha Reseller Kft.", response.text)
        self.assertNotIn("SLA Alpha", response.text)
        self.assertNotIn("Manage users", response.text)

    def test_dashboard_refused_to_non_members(self):
        self.login(self.customer_portal)
        response = self.url_open("/my/partner")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.authenticate(None, None)
        response = self.url_open("/my/partner")
        self.assertIn("/web/login", response.url)

    def test_dashboard_refused_once_terminated(self):
        self.partner_a.action_prm_terminate()
        self.login(self.admin_a)
        response = self.url_open("/my/partner")
        self.assertTrue(response.url.endswith("/my"), response.url)

    # Agreements --------------------------------------------------------

    def test_accept_own_agreement(self):
        self.login(self.admin_a)
        response = self.url_open(
            f"/my/partner/agreement/{self.agreement_a.id}/accept",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.agreement_a.state, "active")
        self.assertEqual(self.agreement_a.accepted_user_id, self.admin_a)
        self.assertEqual(self.agreement_a.accepted_ip, "127.0.0.1")
        self.assertTrue(self.agreement_a.accepted_date)
        self.assertTrue(
            self.agreement_a.message_ids.filtered(
                lambda m: (
                    "Accepted in the partner portal by Alpha Admin from 127.0.0.1"
                    in (m.body or "")
                )
            )
        )
        # accepting twice is refused with a message, nothing changes
        response = self.url_open(
            f"/my/partner/agreement/{self.agreement_a.id}/accept",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertIn("not waiting for your acceptance", response.text)

    def test_cannot_accept_other_partner_agreement(self):
        self.login(self.admin_a)
        response = self.url_open(
            f"/my/partner/agreement/{self.agreement_b.id}/accept",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertNotIn("SLA Bravo", response.text)
        self.assertEqual(self.agreement_b.state, "draft")
        self.assertFalse(self.agreement_b.accepted_user_id)

    def test_member_cannot_accept(self):
        self.login(self.member_a)
        self.url_open(
            f"/my/partner/agreement/{self.agreement_a.id}/accept",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(self.agreement_a.state, "draft")

    @mute_logger("odoo.http")
    def test_accept_needs_csrf_token(self):
        self.login(self.admin_a)
        response = self.url_open(
            f"/my/partner/agreement/{self.agreement_a.id}/accept",
            data={"csrf_token": "forged"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.agreement_a.state, "draft")

    # Resources ---------------------------------------------------------

    def test_resource_visibility_by_tier_and_type(self):
        self.login(self.admin_a)
        response = self.url_open("/my/partner/resources")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Price list for everyone", response.text)
        self.assertIn("Co-branded datasheet", response.text)
        self.assertNotIn("Top tier playbook", response.text)
        self.assertNotIn("MSP runbook", response.text)
        self.assertNotIn("Unreleased deck", response.text)
        self.login(self.admin_b)
        response = self.url_open("/my/partner/resources")
        self.assertIn("Top tier playbook", response.text)
        self.assertIn("MSP runbook", response.text)

    def test_resource_search_and_filter(self):
        self.login(self.admin_a)
        response = self.url_open("/my/partner/resources?search=price")
        self.assertIn("Price list for everyone", response.text)
        self.assertNotIn("Co-branded datasheet", response.text)

    def test_download_counts_for_the_partner(self):
        self.login(self.member_a)
        response = self.url_open(f"/my/partner/resources/{self.res_public.id}/download")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"product,price\nsuite,120\n")
        download = self.res_public.download_ids
        self.assertEqual(len(download), 1)
        self.assertEqual(download.partner_id, self.partner_a)
        self.assertEqual(download.user_id, self.member_a)
        kpis = self.partner_a._prm_compute_kpis()[self.partner_a.id]
        self.assertEqual(kpis["resource_downloads_90d"], 1)

    def test_download_of_hidden_resources_refused(self):
        self.login(self.admin_a)
        for resource in (self.res_msp, self.res_top, self.res_draft):
            response = self.url_open(f"/my/partner/resources/{resource.id}/download")
            self.assertNotEqual(response.content, b"msp secrets")
            self.assertTrue(
                response.url.endswith("/my/partner/resources"), response.url
            )
        response = self.url_open("/my/partner/resources/999999/download")
        self.assertTrue(response.url.endswith("/my/partner/resources"))
        self.assertFalse(
            (self.res_msp | self.res_top | self.res_draft).download_ids,
            "refused downloads are not counted",
        )

    def test_cobranded_pdf_carries_the_partner(self):
        self.partner_a.write({"email": "sales@alpha.example.com", "phone": "+36 1 555"})
        self.login(self.admin_a)
        response = self.url_open(
            f"/my/partner/resources/{self.res_cobranded.id}/cobranded"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        # test mode renders the report as HTML inside the PDF response
        self.assertIn(b"Alpha Reseller Kft.", response.content)
        self.assertIn(b"sales@alpha.example.com", response.content)
        self.assertIn(b"Great product", response.content)
        self.assertNotIn(b"Bravo", response.content)
        self.assertTrue(self.res_cobranded.download_ids.cobranded)

    def test_cobranded_pdf_of_hidden_resource_refused(self):
        self.res_cobranded.grade_ids = self.tier_top
        self.login(self.admin_a)
        response = self.url_open(
            f"/my/partner/resources/{self.res_cobranded.id}/cobranded"
        )
        self.assertNotIn(b"Great product", response.content)

    # Users -------------------------------------------------------------

    def test_admin_lists_own_company_users(self):
        self.login(self.admin_a)
        response = self.url_open("/my/partner/users")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Alpha Member", response.text)
        self.assertNotIn("Bravo Admin", response.text)

    def test_member_cannot_manage_users(self):
        self.login(self.member_a)
        response = self.url_open("/my/partner/users")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.url_open(
            f"/my/partner/users/{self.admin_a.id}/deactivate",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertTrue(self.admin_a.active)

    def test_invite_colleague(self):
        self.login(self.admin_a)
        response = self.url_open(
            "/my/partner/users/invite",
            data={
                "name": "New Colleague",
                "email": "new.colleague@alpha.example.com",
                "role": "member",
                "csrf_token": self.csrf_token(),
            },
        )
        self.assertIn("is invited", response.text)
        user = self.env["res.users"].search(
            [("login", "=", "new.colleague@alpha.example.com")]
        )
        self.assertTrue(user._is_portal())
        self.assertEqual(user.commercial_partner_id, self.partner_a)
        self.assertEqual(user._prm_portal_role(), "member")
        # the same email cannot be invited twice
        response = self.url_open(
            "/my/partner/users/invite",
            data={
                "name": "Again",
                "email": "new.colleague@alpha.example.com",
                "role": "admin",
                "csrf_token": self.csrf_token(),
            },
        )
        self.assertIn("already has an account", response.text)

    def test_invite_validation(self):
        self.login(self.admin_a)
        response = self.url_open(
            "/my/partner/users/invite",
            data={"name": "", "email": "nope", "csrf_token": self.csrf_token()},
        )
        self.assertIn("Enter the person", response.text)
        response = self.url_open(
            "/my/partner/users/invite",
            data={"name": "X", "email": "nope", "csrf_token": self.csrf_token()},
        )
        self.assertIn("valid email", response.text)

    def test_change_role_and_deactivate_own_company_user(self):
        self.login(self.admin_a)
        self.url_open(
            f"/my/partner/users/{self.member_a.id}/admin",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(self.member_a._prm_portal_role(), "admin")
        self.url_open(
            f"/my/partner/users/{self.member_a.id}/member",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertEqual(self.member_a._prm_portal_role(), "member")
        self.url_open(
            f"/my/partner/users/{self.member_a.id}/deactivate",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertFalse(self.member_a.active)

    def test_cannot_touch_other_company_users_or_self(self):
        self.login(self.admin_a)
        for action in ("deactivate", "member"):
            self.url_open(
                f"/my/partner/users/{self.admin_b.id}/{action}",
                data={"csrf_token": self.csrf_token()},
            )
        self.assertTrue(self.admin_b.active)
        self.assertEqual(self.admin_b._prm_portal_role(), "admin")
        response = self.url_open(
            f"/my/partner/users/{self.admin_a.id}/deactivate",
            data={"csrf_token": self.csrf_token()},
        )
        self.assertIn("cannot change your own access", response.text)
        self.assertTrue(self.admin_a.active)
