# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestSecurity(PrmMdfCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.req_a = cls._approved_request(amount=300.0)
        cls.claim_a = cls._claim(cls.req_a, 300.0)
        cls.req_b = cls._request(partner=cls.partner_b, amount=200.0, submit=True)
        cls.portal_b = cls.env["res.users"].create(
            {
                "name": "Bob Portal",
                "login": "mdf_portal_b",
                "parent_id": cls.partner_b.id,
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_portal").id,
                            cls.env.ref("prm_base.group_prm_partner_admin").id,
                        ]
                    )
                ],
            }
        )

    def test_channel_managers_see_their_partners(self):
        for user, partner in (
            (self.user_channel, self.partner_a),
            (self.user_channel_other, self.partner_b),
        ):
            env = self.env(user=user)
            self.assertEqual(
                env["prm.mdf.request"].search([]).partner_id, partner, user.login
            )
            self.assertEqual(env["prm.mdf.allocation"].search([]).partner_id, partner)
        self.assertEqual(
            self.env(user=self.user_channel)["prm.mdf.claim"].search([]), self.claim_a
        )
        self.assertFalse(
            self.env(user=self.user_channel_other)["prm.mdf.claim"].search([])
        )
        with self.assertRaises(AccessError):
            self.req_b.with_user(self.user_channel).read(["title"])

    def test_prm_users_do_not_change_budgets(self):
        with self.assertRaises(AccessError):
            self.alloc_a.with_user(self.user_channel).amount = 5000.0
        with self.assertRaises(AccessError):
            self.period.with_user(self.user_channel).budget = 1.0

    def test_portal_isolation(self):
        env = self.env(user=self.portal_b)
        self.assertEqual(env["prm.mdf.request"].search([]), self.req_b)
        self.assertEqual(env["prm.mdf.allocation"].search([]), self.alloc_b)
        self.assertFalse(env["prm.mdf.claim"].search([]))
        with self.assertRaises(AccessError):
            self.req_a.with_user(self.portal_b).read(["title"])
        with self.assertRaises(AccessError):
            self.claim_a.with_user(self.portal_b).read(["amount"])
        with self.assertRaises(AccessError):
            self.alloc_a.with_user(self.portal_b).read(["amount"])
        # the budget of the period is not for partners
        period = self.period.with_user(self.portal_b)
        self.assertEqual(period.name, self.period.name)
        with self.assertRaises(AccessError):
            period.read(["budget"])
        # nor can they claim on another partner's request
        with self.assertRaises(AccessError):
            self.env["prm.mdf.claim"].with_user(self.portal_b).create(
                {"request_id": self.req_a.id, "amount": 10.0}
            )

    def test_multi_company(self):
        company_2 = self.setup_other_company()["company"]
        other = self.env["prm.mdf.request"].create(
            {
                "title": "Event of the other company",
                "partner_id": self.partner_a.id,
                "company_id": company_2.id,
                "date_start": self.today,
                "date_end": self.today,
                "amount_requested": 10.0,
            }
        )
        self.assertFalse(other.allocation_id)
        admin = self.user_prm_admin
        self.assertNotIn(company_2, admin.company_ids)
        self.assertNotIn(other, self.env(user=admin)["prm.mdf.request"].search([]))
        admin.company_ids |= company_2
        self.assertIn(
            other,
            self.env(user=admin, context={"allowed_company_ids": [company_2.id]})[
                "prm.mdf.request"
            ].search([]),
        )
