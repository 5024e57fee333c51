# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    """Portal pages of deal registrations and lead offers, and their isolation
    between partners. Partner Members see the registrations they made,
    Partner Admins those of their company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.today = fields.Date.today()
        cls.hungary = cls.env.ref("base.hu")
        cls.tier = cls.env["res.partner.grade"].create(
            {
                "name": "Portal Test Tier",
                "prm_rank": 5000,
                "prm_protection_days": 60,
                "partner_weight": 0,
            }
        )
        cls.manager_a = new_test_user(
            cls.env,
            "portal_test_mgr_a",
            groups="base.group_user,prm_base.group_prm_user",
        )
        cls.manager_b = new_test_user(
            cls.env,
            "portal_test_mgr_b",
            groups="base.group_user,prm_base.group_prm_user",
        )
        Partner = cls.env["res.partner"]
        cls.partner_a = Partner.create(
            {
                "name": "Portal Partner A",
                "is_company": True,
                "prm_state": "active",
                "prm_partner_type": "reseller",
                "grade_id": cls.tier.id,
                "prm_channel_manager_id": cls.manager_a.id,
                "country_id": cls.hungary.id,
            }
        )
        cls.partner_b = Partner.create(
            {
                "name": "Portal Partner B",
                "is_company": True,
                "prm_state": "active",
                "prm_partner_type": "reseller",
                "grade_id": cls.tier.id,
                "prm_channel_manager_id": cls.manager_b.id,
            }
        )
        cls.a_member = cls._portal_user("portal_a_member", cls.partner_a, "member")
        cls.a_member2 = cls._portal_user("portal_a_member2", cls.partner_a, "member")
        cls.a_admin = cls._portal_user("portal_a_admin", cls.partner_a, "admin")
        cls.b_admin = cls._portal_user("portal_b_admin", cls.partner_b, "admin")
        cls.deal_a = cls._deal(cls.a_member, "Zeta Lighting Kft.", "HU11112222")
        cls.deal_a2 = cls._deal(cls.a_member2, "Omikron Textil Zrt.", "HU33334444")
        cls.deal_b = cls._deal(cls.b_admin, "Kappa Logistics Kft.", "HU55556666")
        cls.deal_b._portal_ensure_token()

    @classmethod
    def _portal_user(cls, login, partner, role):
        user = new_test_user(
            cls.env,
            login,
            groups=f"base.group_portal,prm_base.group_prm_partner_{role}",
            email=f"{login}@example.com",
        )
        user.partner_id.parent_id = partner
        return user

    @classmethod
    def _deal(cls, user, customer, vat):
        return (
            cls.env["prm.deal.registration"]
            .with_user(user)
            .create(
                {
                    "customer_name": customer,
                    "customer_vat": vat,
                    "customer_country_id": cls.hungary.id,
                    "date_expected_close": cls.today + timedelta(days=20),
                    "expected_revenue": 3000.0,
                }
            )
            .with_env(cls.env)
        )

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _post(self, url, data=None, **kw):
        data = dict(data or {}, csrf_token=self._token())
        response = self.url_open(url, data=data, **kw)
        self.env.invalidate_all()
        return response

    def _token(self):
        response = self.url_open("/my/deals/new")
        marker = 'name="csrf_token" value="'
        start = response.text.index(marker) + len(marker)
        return response.text[start : response.text.index('"', start)]

    def assertRedirectedHome(self, response, forbidden_texts=()):
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            response.url.endswith("/my") or "/web/login" in response.url,
            response.url,
        )
        for text in forbidden_texts:
            self.assertNotIn(text, response.text)

    # ------------------------------------------------------------------

    def test_anonymous_redirected_to_login(self):
        for url in (
            "/my/deals",
            f"/my/deals/{self.deal_b.id}",
            f"/my/deals/{self.deal_b.id}?access_token={self.deal_b.access_token}",
            "/my/deals/new",
            "/my/leads/offers",
        ):
            response = self.url_open(url)
            self.assertIn("/web/login", response.url, url)
            self.assertNotIn("Kappa Logistics", response.text)

    def test_list_isolation_member_and_admin(self):
        self._login(self.a_member)
        response = self.url_open("/my/deals")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Zeta Lighting", response.text)
        self.assertNotIn("Omikron Textil", response.text, "a colleague's deal")
        self.assertNotIn("Kappa Logistics", response.text, "another partner's deal")
        self._login(self.a_admin)
        response = self.url_open("/my/deals")
        self.assertIn("Zeta Lighting", response.text)
        self.assertIn("Omikron Textil", response.text)
        self.assertNotIn("Kappa Logistics", response.text)
        # search, filters and sortings
        response = self.url_open("/my/deals?search=omikron&sortby=customer")
        self.assertIn("Omikron Textil", response.text)
        self.assertNotIn("Zeta Lighting", response.text)
        response = self.url_open("/my/deals?filterby=approved")
        self.assertNotIn("Zeta Lighting", response.text)
        response = self.url_open("/my/deals?filterby=draft&sortby=nonsense")
        self.assertIn("Zeta Lighting", response.text)

    def test_detail_isolation(self):
        self._login(self.a_member)
        response = self.url_open(f"/my/deals/{self.deal_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Zeta Lighting", response.text)
        self.assertIn("o_portal_chatter", response.text)
        # another partner's deal, with or without its access token
        for url in (
            f"/my/deals/{self.deal_b.id}",
            f"/my/deals/{self.deal_b.id}?access_token={self.deal_b.access_token}",
            f"/my/deals/{self.deal_b.id}/edit",
            f"/my/deals/{self.deal_a2.id}",
            "/my/deals/999999999",
        ):
            self.assertRedirectedHome(
                self.url_open(url), ("Kappa Logistics", "Omikron Textil")
            )
        self._login(self.a_admin)
        response = self.url_open(f"/my/deals/{self.deal_a2.id}")
        self.assertIn("Omikron Textil", response.text)
        self.assertRedirectedHome(
            self.url_open(f"/my/deals/{self.deal_b.id}"), ("Kappa Logistics",)
        )

    def test_actions_on_other_partner_deals(self):
        self._login(self.a_admin)
        self.assertRedirectedHome(self._post(f"/my/deals/{self.deal_b.id}/submit"))
        self.assertEqual(self.deal_b.state, "draft")
        self.deal_b.sudo()._prm_transition().write(
            {"state": "approved", "protection_end": self.today + timedelta(days=5)}
        )
        self.assertRedirectedHome(
            self._post(
                f"/my/deals/{self.deal_b.id}/extend",
                {
                    "requested_end": str(self.today + timedelta(days=30)),
                    "reason": "Steal it",
                },
            )
        )
        self.assertFalse(self.deal_b.extension_ids)
        self.assertRedirectedHome(
            self._post(
                f"/my/deals/{self.deal_b.id}/edit",
                {"customer_name": "Hijacked", "customer_country_id": self.hungary.id},
            )
        )
        self.assertEqual(self.deal_b.customer_name, "Kappa Logistics Kft.")

    def test_register_a_deal(self):
        self._login(self.a_member)
        response = self.url_open("/my/deals/new")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="csrf_token"', response.text)
        Registration = self.env["prm.deal.registration"]
        before = Registration.search_count([])
        # server-side validation, with clear messages
        response = self._post(
            "/my/deals/new",
            {
                "customer_name": "",
                "customer_email": "not-an-email",
                "date_expected_close": str(self.today - timedelta(days=1)),
                "expected_revenue": "-5",
                "action": "submit",
            },
        )
        self.assertEqual(response.status_code, 200)
        for message in (
            "The customer&#39;s company name is required.",
            "This is not a valid e-mail address.",
            "Choose the customer&#39;s country.",
            "The expected closing date is past.",
            "Give the expected revenue, or the products of the deal.",
        ):
            self.assertIn(message, response.text)
        self.assertEqual(Registration.search_count([]), before)
        product = self.env["product.product"].create(
            {"name": "Portal Test Licence", "sale_ok": True, "list_price": 100.0}
        )
        response = self._post(
            "/my/deals/new",
            {
                "customer_name": "Sigma Foods Kft.",
                "customer_vat": "HU77778888",
                "customer_website": "sigma-foods.example.hu",
                "customer_country_id": str(self.hungary.id),
                "contact_name": "Éva Nagy",
                "contact_email": "eva@sigma-foods.example.hu",
                "date_expected_close": str(self.today + timedelta(days=45)),
                "line_product_0": str(product.id),
                "line_quantity_0": "3",
                "line_price_0": "120.5",
                "description": "Warehouse rollout",
                "action": "submit",
            },
            files={"attachments": ("rfp.txt", b"Request for proposal", "text/plain")},
        )
        deal = Registration.search([("customer_name", "=", "Sigma Foods Kft.")])
        self.assertEqual(len(deal), 1)
        self.assertTrue(
            response.url.endswith(f"/my/deals/{deal.id}?prm_message=submitted")
        )
        self.assertEqual(deal.partner_id, self.partner_a)
        self.assertEqual(deal.submitted_by_id, self.a_member)
        self.assertEqual(deal.state, "submitted")
        self.assertEqual(deal.expected_revenue, 361.5)
        self.assertEqual(deal.line_ids.product_id, product)
        self.assertEqual(deal.domain_normalized, "sigma-foods.example.hu")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", deal._name), ("res_id", "=", deal.id)]
        )
        self.assertEqual(attachment.name, "rfp.txt")
        self.assertIn("Your registration is submitted", response.text)

    def test_csrf_required(self):
        self._login(self.a_member)
        with self.assertLogs("odoo.http", "WARNING"):
            response = self.url_open(
                "/my/deals/new",
                data={"customer_name": "No token Kft.", "action": "save"},
            )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(
            self.env["prm.deal.registration"].search(
                [("customer_name", "=", "No token Kft.")]
            )
        )

    def test_edit_returned_and_submit(self):
        deal = self.deal_a
        deal.sudo().action_submit()
        deal.with_user(self.manager_a)._prm_decide("return", "Add the contact")
        self._login(self.a_member)
        response = self.url_open(f"/my/deals/{deal.id}")
        self.assertIn("Add the contact", response.text)
        response = self._post(
            f"/my/deals/{deal.id}/edit",
            {
                "customer_name": "Zeta Lighting Kft.",
                "customer_vat": "HU11112222",
                "customer_country_id": str(self.hungary.id),
                "contact_name": "Béla Kiss",
                "date_expected_close": str(self.today + timedelta(days=20)),
                "expected_revenue": "3500",
                "action": "save",
            },
        )
        self.assertTrue(response.url.endswith("prm_message=saved"), response.url)
        self.assertEqual(deal.contact_name, "Béla Kiss")
        self.assertEqual(deal.expected_revenue, 3500.0)
        self.assertEqual(deal.state, "returned")
        response = self._post(f"/my/deals/{deal.id}/submit")
        self.assertEqual(deal.state, "submitted")
        # no more edits once submitted
        response = self.url_open(f"/my/deals/{deal.id}/edit")
        self.assertTrue(response.url.endswith("prm_error=not_editable"))

    def test_extension_request(self):
        deal = self.deal_a
        deal.sudo()._prm_transition().write(
            {
                "state": "approved",
                "protection_start": self.today,
                "protection_end": self.today + timedelta(days=5),
            }
        )
        self._login(self.a_member)
        response = self.url_open(f"/my/deals/{deal.id}")
        self.assertIn("Need more time?", response.text)
        response = self._post(
            f"/my/deals/{deal.id}/extend",
            {"requested_end": str(self.today + timedelta(days=1)), "reason": "x"},
        )
        self.assertTrue(response.url.endswith("prm_error=extension"))
        self.assertFalse(deal.extension_ids)
        response = self._post(
            f"/my/deals/{deal.id}/extend",
            {
                "requested_end": str(self.today + timedelta(days=40)),
                "reason": "Budget approval in March",
            },
        )
        self.assertTrue(response.url.endswith("prm_message=extension"))
        self.assertEqual(deal.extension_ids.reason, "Budget approval in March")
        self.assertIn("waits for your channel manager", response.text)

    def test_chatter_with_the_channel_manager(self):
        self._login(self.a_member)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "prm.deal.registration",
                "thread_id": self.deal_a.id,
                "post_data": {
                    "body": "When will you decide?",
                    "message_type": "comment",
                },
            },
        )
        self.env.invalidate_all()
        message = self.deal_a.message_ids.filtered(
            lambda m: "When will you decide?" in (m.body or "")
        )
        self.assertEqual(message.author_id, self.a_member.partner_id)
        self.assertIn(self.manager_a.partner_id, self.deal_a.message_partner_ids)

    def test_lead_offers(self):
        Lead = self.env["crm.lead"]
        Offer = self.env["prm.lead.offer"]
        deadline = fields.Datetime.now() + timedelta(days=1)
        lead_a = Lead.create({"name": "Lead for A: solar plant", "type": "lead"})
        lead_b = Lead.create({"name": "Lead for B: cold storage", "type": "lead"})
        offer_a = Offer.create(
            {
                "lead_id": lead_a.id,
                "partner_id": self.partner_a.id,
                "deadline": deadline,
            }
        )
        offer_b = Offer.create(
            {
                "lead_id": lead_b.id,
                "partner_id": self.partner_b.id,
                "deadline": deadline,
            }
        )
        self._login(self.a_member)
        response = self.url_open("/my/leads/offers")
        self.assertIn("solar plant", response.text)
        self.assertNotIn("cold storage", response.text)
        response = self.url_open("/my/leads")
        self.assertIn("/my/leads/offers", response.text)
        # B's offer cannot be answered by A
        for action in ("accept", "decline"):
            self.assertRedirectedHome(
                self._post(f"/my/leads/offers/{offer_b.id}/{action}"), ("cold storage",)
            )
        self.assertEqual(offer_b.state, "offered")
        response = self._post(f"/my/leads/offers/{offer_a.id}/accept")
        self.assertIn("/my/lead/", response.url)
        self.assertTrue(response.url.endswith(f"-{lead_a.id}"), response.url)
        self.assertEqual(offer_a.state, "accepted")
        self.assertEqual(lead_a.partner_assigned_id, self.partner_a)
        self.assertIn("solar plant", response.text)
        # answering twice
        response = self._post(f"/my/leads/offers/{offer_a.id}/decline")
        self.assertTrue(response.url.endswith("prm_error=closed"))
        self._login(self.b_admin)
        response = self._post(
            f"/my/leads/offers/{offer_b.id}/decline", {"reason": "No capacity"}
        )
        self.assertTrue(response.url.endswith("prm_message=declined"))
        self.assertEqual(offer_b.state, "declined")
        self.assertEqual(offer_b.decline_reason, "No capacity")

    def test_dashboard_tiles_and_counters(self):
        self._login(self.a_admin)
        response = self.url_open("/my/partner")
        self.assertIn("Protected deals", response.text)
        self.assertIn("Leads offered to you", response.text)
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["prm_deal_count", "prm_lead_offer_count"]},
        )
        self.assertEqual(counters["prm_deal_count"], 2)
        self.assertEqual(counters["prm_lead_offer_count"], 0)
        response = self.url_open("/my")
        self.assertIn("/my/deals", response.text)
