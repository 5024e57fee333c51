# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.prm_base.tests.common import PrmCommon


class DealCommon(PrmCommon):
    """prm_base's channel team and partners, with deal protection settings and
    portal users for each partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hungary = cls.env.ref("base.hu")
        cls.germany = cls.env.ref("base.de")
        cls.malaysia = cls.env.ref("base.my")
        cls.env.company.write(
            {
                "prm_deal_conflict_threshold": 50,
                "prm_deal_reminder_days": 14,
                "prm_lead_offer_hours": 48,
                "prm_lead_offer_capacity": 2,
            }
        )
        cls.tier_bronze.write({"prm_protection_days": 60, "prm_auto_approve": False})
        cls.tier_gold.write({"prm_protection_days": 120, "prm_auto_approve": True})
        (cls.partner_a | cls.partner_b).write({"grade_id": cls.tier_bronze.id})
        cls.partner_a.email = "partners@partner-a.example.com"
        cls.partner_b.email = "partners@partner-b.example.com"
        cls.partner_gold = cls._create_member(
            "Partner Gold",
            cls.user_channel,
            grade_id=cls.tier_gold.id,
            email="partners@partner-gold.example.com",
        )
        cls.portal_a_member = cls._portal_user(
            "deal_a_member", cls.partner_a, "prm_base.group_prm_partner_member"
        )
        cls.portal_a_member2 = cls._portal_user(
            "deal_a_member2", cls.partner_a, "prm_base.group_prm_partner_member"
        )
        cls.portal_a_admin = cls._portal_user(
            "deal_a_admin", cls.partner_a, "prm_base.group_prm_partner_admin"
        )
        cls.portal_b_admin = cls._portal_user(
            "deal_b_admin", cls.partner_b, "prm_base.group_prm_partner_admin"
        )
        cls.portal_gold = cls._portal_user(
            "deal_gold_admin", cls.partner_gold, "prm_base.group_prm_partner_admin"
        )
        cls.Registration = cls.env["prm.deal.registration"]

    @classmethod
    def _portal_user(cls, login, company_partner, role):
        user = mail_new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_portal,{role}",
            email=f"{login}@example.com",
            company_id=cls.env.company.id,
        )
        user.partner_id.parent_id = company_partner
        return user

    @classmethod
    def _registration_vals(cls, partner, **values):
        return {
            "partner_id": partner.id,
            "customer_name": "Acme Kft.",
            "customer_vat": "HU12345678",
            "customer_website": "https://www.acme.example.hu",
            "customer_country_id": cls.hungary.id,
            "contact_name": "Anna Kovács",
            "contact_email": "anna@acme.example.hu",
            "date_expected_close": cls.today + timedelta(days=30),
            "expected_revenue": 1000.0,
            **values,
        }

    @classmethod
    def _registration(cls, partner, user=None, **values):
        """A draft made by ``user`` (the current user by default), returned in
        the test's environment."""
        Registration = cls.Registration.with_user(user) if user else cls.Registration
        registration = Registration.create(cls._registration_vals(partner, **values))
        return registration.with_env(cls.env)

    @classmethod
    def _submitted(cls, partner, user=None, **values):
        registration = cls._registration(partner, user=user, **values)
        (registration.with_user(user) if user else registration).action_submit()
        return registration
