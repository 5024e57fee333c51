# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, http
from odoo.tests import HttpCase

from odoo.addons.mail.tests.common import mail_new_test_user


class PrmPortalCommon(HttpCase):
    """Two program partners (A and B) with a Partner Admin and a Partner Member
    each, a non-member portal user, and one resource/agreement per partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Grade = cls.env["res.partner.grade"]
        Grade.search([]).write({"active": False})
        cls.tier_entry = Grade.create({"name": "Entry Tier", "prm_rank": 10})
        cls.tier_top = Grade.create(
            {"name": "Top Tier", "prm_rank": 20, "prm_min_revenue": 1000.0}
        )
        Partner = cls.env["res.partner"]
        cls.partner_a = Partner.create(
            {
                "name": "Alpha Reseller Kft.",
                "is_company": True,
                "prm_state": "active",
                "prm_partner_type": "reseller",
                "country_id": cls.env.ref("base.hu").id,
            }
        )
        cls.partner_b = Partner.create(
            {
                "name": "Bravo Services Sdn. Bhd.",
                "is_company": True,
                "prm_state": "active",
                "prm_partner_type": "msp",
                "country_id": cls.env.ref("base.my").id,
            }
        )
        cls.partner_b.grade_id = cls.tier_top
        cls.admin_a = cls._portal_user("alpha_admin", cls.partner_a, "admin")
        cls.member_a = cls._portal_user("alpha_member", cls.partner_a, "member")
        cls.admin_b = cls._portal_user("bravo_admin", cls.partner_b, "admin")
        cls.customer_portal = mail_new_test_user(
            cls.env,
            login="plain_customer",
            groups="base.group_portal",
            password="plain_customer",
        )

    @classmethod
    def _portal_user(cls, login, partner, role):
        groups = ["base.group_portal", f"prm_base.group_prm_partner_{role}"]
        return cls.env["res.users"].create(
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "password": login,
                "email": f"{login}@example.com",
                "parent_id": partner.id,
                "groups_id": [Command.set([cls.env.ref(g).id for g in groups])],
            }
        )

    def login(self, user):
        self.authenticate(user.login, user.login)

    def csrf_token(self):
        return http.Request.csrf_token(self)

    def assertRedirectsAway(self, response, forbidden_texts=()):
        """The request ended on another page without the forbidden data."""
        self.assertEqual(response.status_code, 200)
        for text in forbidden_texts:
            self.assertNotIn(text, response.text)
