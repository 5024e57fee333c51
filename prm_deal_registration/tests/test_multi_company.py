# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(DealCommon, HttpCase):
    """A second company in another currency: its registrations stay its own,
    for its back office, its partners' portal pages and the analysis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.myr = cls.setup_other_currency("MYR", rates=[("2000-01-01", 4.0)])
        cls.company_b = cls.setup_other_company(
            name="PRM Asia Pacific", currency_id=cls.myr.id
        )["company"]
        cls.company_a = cls.env.company
        cls.user_b = mail_new_test_user(
            cls.env,
            login="deal_mc_manager_b",
            groups="base.group_user,prm_base.group_prm_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.partner_my = cls._create_member(
            "Partner Malaysia", company_id=cls.company_b.id, grade_id=cls.tier_bronze.id
        )
        cls.portal_my = cls._portal_user(
            "deal_mc_portal_my", cls.partner_my, "prm_base.group_prm_partner_admin"
        )
        cls.portal_my.write(
            {
                "company_id": cls.company_b.id,
                "company_ids": [Command.set(cls.company_b.ids)],
            }
        )
        cls.reg_a = cls._registration(cls.partner_a, customer_name="Alpha Kft.")
        cls.reg_b = cls._registration(
            cls.partner_my, user=cls.portal_my, customer_name="Batu Sdn. Bhd."
        )

    def test_portal_registration_is_in_the_partner_company(self):
        self.assertEqual(self.reg_b.company_id, self.company_b)
        self.assertEqual(self.reg_b.currency_id, self.myr)
        self.assertEqual(self.reg_a.company_id, self.company_a)

    def test_back_office_of_company_b_sees_nothing_of_a(self):
        self.env.flush_all()
        ids = (self.reg_a | self.reg_b).ids
        Registration = self.env["prm.deal.registration"].with_user(self.user_b)
        self.assertEqual(Registration.search([("id", "in", ids)]), self.reg_b)
        Report = self.env["prm.deal.registration.report"].with_user(self.user_b)
        rows = Report.search([("registration_id", "in", ids)])
        self.assertEqual(rows.registration_id.ids, self.reg_b.ids)
        self.assertEqual(rows.currency_id, self.myr)
        # a user of both companies sees what the selected companies allow
        both = self.env["prm.deal.registration.report"].with_context(
            allowed_company_ids=self.company_a.ids
        )
        rows = both.search([("registration_id", "in", ids)])
        self.assertEqual(rows.registration_id.ids, self.reg_a.ids)

    def test_portal_pages_show_only_company_b_records(self):
        # the partner of company B also has a registration filed in company A
        # (e.g. before its transfer): the portal of company B does not show it
        shared = self._create_member("Partner Shared", company_id=False)
        portal_shared = self._portal_user(
            "deal_mc_portal_shared", shared, "prm_base.group_prm_partner_admin"
        )
        portal_shared.write(
            {
                "company_id": self.company_b.id,
                "company_ids": [Command.set(self.company_b.ids)],
            }
        )
        in_a = self._registration(shared, customer_name="Gamma Kft.")
        in_b = self._registration(
            shared, user=portal_shared, customer_name="Delima Sdn. Bhd."
        )
        self.assertEqual(in_a.company_id, self.company_a)
        self.assertEqual(in_b.company_id, self.company_b)
        self.authenticate(portal_shared.login, portal_shared.login)
        response = self.url_open("/my/deals")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Delima Sdn. Bhd.", response.text)
        self.assertNotIn("Gamma Kft.", response.text)
        response = self.url_open(f"/my/deals/{in_a.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn("Gamma Kft.", response.text)
        # the portal of partner B (company B) lists its deal only
        self.authenticate(self.portal_my.login, self.portal_my.login)
        response = self.url_open("/my/deals")
        self.assertIn("Batu Sdn. Bhd.", response.text)
        self.assertNotIn("Alpha Kft.", response.text)
        self.assertNotIn("Delima Sdn. Bhd.", response.text)
