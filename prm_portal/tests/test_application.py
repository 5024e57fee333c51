# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PrmPortalCommon


@tagged("post_install", "-at_install")
class TestApplication(PrmPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Criterion = cls.env["prm.application.criterion"]
        Criterion.search([]).write({"active": False})
        Criterion.create({"name": "VAT", "rule": "has_vat", "points": 30})
        Criterion.create(
            {"name": "Business mail", "rule": "business_email", "points": 20}
        )
        Criterion.create(
            {
                "name": "Priority market",
                "rule": "country",
                "points": 50,
                "country_ids": [(6, 0, cls.env.ref("base.hu").ids)],
            }
        )
        cls.spec_cloud = cls.env["prm.specialization"].create({"name": "Test Cloud"})
        cls.Application = cls.env["prm.application"]
        # earlier applications (demo data) do not count against the rate limit
        cls.Application.search([]).write({"ip_address": "192.0.2.1"})

    def _form(self, **overrides):
        data = {
            "company_name": "Gamma Integrator Zrt.",
            "vat": "HU 11223344",
            "country_id": str(self.env.ref("base.hu").id),
            "website": "www.gamma-int.example.com",
            "partner_type": "integrator",
            "contact_name": "Gabriella Gamma",
            "contact_email": "gabriella@gamma-int.example.com",
            "contact_phone": "+36 30 111 2222",
            "message": "We implement ERP in Hungary.",
            "consent": "1",
            "csrf_token": self.csrf_token(),
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    def _post(self, **overrides):
        return self.url_open("/partners/apply", data=self._form(**overrides))

    def _count(self):
        return self.Application.search_count([])

    def test_form_is_public(self):
        self.authenticate(None, None)
        response = self.url_open("/partners/apply")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Become a partner", response.text)
        self.assertIn("Test Cloud", response.text)

    def test_valid_application(self):
        self.authenticate(None, None)
        before = self._count()
        response = self.url_open(
            "/partners/apply",
            data=dict(self._form(), specialization_ids=str(self.spec_cloud.id)),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you", response.text)
        self.assertEqual(self._count(), before + 1)
        application = self.Application.search([], limit=1, order="id desc")
        self.assertEqual(application.name, "Gamma Integrator Zrt.")
        self.assertEqual(application.vat_key, "11223344")
        self.assertEqual(application.email_domain, "gamma-int.example.com")
        self.assertEqual(application.ip_address, "127.0.0.1")
        self.assertTrue(application.consent)
        self.assertEqual(application.specialization_ids, self.spec_cloud)
        self.assertEqual(application.score, 100)
        mail = self.env["mail.mail"].search(
            [("email_to", "=", "gabriella@gamma-int.example.com")]
        )
        self.assertEqual(len(mail), 1, "acknowledgement sent to the applicant")

    def test_validation_messages_and_nothing_stored(self):
        self.authenticate(None, None)
        before = self._count()
        cases = {
            "company_name": ("", "Company name is required"),
            "contact_email": ("not-an-email", "valid email address"),
            "country_id": ("999999", "Choose your country"),
            "partner_type": ("pirate", "Choose the kind of partner"),
            "website": ("javascript:alert(1)", "Enter a website like"),
            "consent": (None, "Accept the program terms"),
            "message": ("x" * 6000, "under 5000 characters"),
        }
        for field, (value, message) in cases.items():
            with self.subTest(field=field):
                response = self._post(**{field: value})
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        self.assertEqual(self._count(), before)

    def test_script_is_escaped(self):
        self.authenticate(None, None)
        response = self._post(
            company_name="<script>alert('x')</script>", contact_email="bad"
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("<script>alert('x')</script>", response.text)
        self.assertIn("&lt;script&gt;", response.text)

    def test_honeypot_stores_nothing(self):
        self.authenticate(None, None)
        before = self._count()
        response = self._post(prm_company_homepage="http://spam.example.com")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you", response.text)
        self.assertEqual(self._count(), before)

    def test_rate_limit_per_address(self):
        self.authenticate(None, None)
        before = self._count()
        for index in range(3):
            response = self._post(
                company_name=f"Spammy {index}",
                vat=f"HU9000000{index}",
                contact_email=f"a{index}@spammy{index}.example.com",
                website=None,
            )
            self.assertEqual(response.status_code, 200)
        response = self._post(
            company_name="Spammy 4", vat="HU90000004", contact_email="a@s4.example.com"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Too many applications", response.text)
        self.assertEqual(self._count(), before + 3)

    def test_duplicate_application_and_member(self):
        self.authenticate(None, None)
        self._post()
        before = self._count()
        response = self._post(contact_email="other@gamma-int.example.com")
        self.assertIn("already being reviewed", response.text)
        self.partner_a.write({"vat": "HU55667788"})
        response = self._post(
            company_name="Alpha again",
            vat="HU55667788",
            contact_email="x@alpha-new.example.com",
            website=None,
        )
        self.assertIn("already a member of our partner program", response.text)
        self.assertEqual(self._count(), before)

    # Review ------------------------------------------------------------

    def _application(self, **values):
        return self.Application.create(
            {
                "name": "Delta Cloud Kft.",
                "vat": "HU 2233 4455",
                "country_id": self.env.ref("base.hu").id,
                "partner_type": "reseller",
                "contact_name": "Dora Delta",
                "contact_email": "dora@delta-cloud.example.com",
                "consent": True,
                **values,
            }
        )

    def test_approve_creates_company_contact_and_portal_admin(self):
        application = self._application()
        application.action_approve()
        partner = application.partner_id
        self.assertEqual(application.state, "approved")
        self.assertEqual(partner.name, "Delta Cloud Kft.")
        self.assertTrue(partner.is_company)
        self.assertEqual(partner.prm_state, "onboarding")
        self.assertEqual(partner.prm_partner_type, "reseller")
        self.assertEqual(partner.grade_id, self.tier_entry)
        contact = application.contact_id
        self.assertEqual(contact.parent_id, partner)
        user = contact.user_ids
        self.assertTrue(user._is_portal())
        self.assertEqual(user._prm_portal_role(), "admin")
        self.assertEqual(user._prm_portal_partner(), partner)
        approved_mail = self.env["mail.mail"].search(
            [
                ("email_to", "=", "dora@delta-cloud.example.com"),
                ("subject", "ilike", "Welcome to our partner program"),
            ]
        )
        self.assertEqual(len(approved_mail), 1)
        with self.assertRaises(UserError):
            application.action_approve()

    def test_approve_links_existing_customer(self):
        customer = self.env["res.partner"].create(
            {
                "name": "Delta (customer record)",
                "is_company": True,
                "vat": "HU22334455",
                "country_id": self.env.ref("base.hu").id,
            }
        )
        application = self._application()
        self.assertEqual(application.duplicate_partner_ids, customer)
        application.action_approve()
        self.assertEqual(application.partner_id, customer)
        self.assertEqual(customer.prm_state, "onboarding")

    def test_approve_refused_for_existing_member(self):
        self.partner_a.vat = "HU22334455"
        application = self._application()
        with self.assertRaisesRegex(UserError, "already a program member"):
            application.action_approve()
        self.assertEqual(application.state, "new")

    def test_reject_needs_reason_and_mails_it(self):
        application = self._application()
        with self.assertRaises(UserError):
            application.action_reject("  ")
        wizard = self.env["prm.application.reject.wizard"].create(
            {
                "application_ids": [(6, 0, application.ids)],
                "reason": "Outside our markets",
            }
        )
        wizard.action_reject()
        self.assertEqual(application.state, "rejected")
        mail = self.env["mail.mail"].search(
            [("email_to", "=", "dora@delta-cloud.example.com")]
        )
        self.assertIn("Outside our markets", mail.body_html)

    def test_screening_score(self):
        application = self._application(contact_email="dora@gmail.com")
        # VAT 30 + country 50, free mail provider earns nothing
        self.assertEqual(application.score, 80)
        self.assertIn("- Business mail (20)", application.score_details)

    @mute_logger("odoo.http")
    def test_csrf_required(self):
        self.authenticate(None, None)
        before = self._count()
        response = self._post(csrf_token="forged")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._count(), before)
