# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PrmCommon


@tagged("post_install", "-at_install")
class TestSecurity(PrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Agreement = cls.env["prm.agreement"]
        cls.agreement_a = Agreement.create(
            {"name": "A agreement", "partner_id": cls.partner_a.id, "state": "active"}
        )
        cls.agreement_a_draft = Agreement.create(
            {"name": "A draft", "partner_id": cls.partner_a.id}
        )
        cls.agreement_b = Agreement.create(
            {"name": "B agreement", "partner_id": cls.partner_b.id, "state": "active"}
        )
        cls.portal_a_admin = cls._portal_user(
            "portal_a_admin", cls.partner_a, "prm_base.group_prm_partner_admin"
        )
        cls.portal_a_member = cls._portal_user(
            "portal_a_member", cls.partner_a, "prm_base.group_prm_partner_member"
        )

    @classmethod
    def _portal_user(cls, login, company_partner, role):
        user = cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "groups_id": [
                    (6, 0, [cls.env.ref("base.group_portal").id, cls.env.ref(role).id])
                ],
                "parent_id": company_partner.id,
            }
        )
        user.partner_id.parent_id = company_partner
        return user

    def test_channel_manager_edits_own_partners_only(self):
        self.partner_a.with_user(self.user_channel).write({"prm_partner_type": "msp"})
        self.assertEqual(self.partner_a.prm_partner_type, "msp")
        with self.assertRaisesRegex(AccessError, "partners you manage"):
            self.partner_b.with_user(self.user_channel).write(
                {"prm_partner_type": "msp"}
            )
        with self.assertRaises(AccessError):
            self.partner_b.with_user(self.user_channel).action_prm_suspend()
        self.assertEqual(self.partner_b.prm_state, "active")
        self.partner_b.with_user(self.user_prm_admin).action_prm_suspend()
        self.assertEqual(self.partner_b.prm_state, "suspended")

    def test_salesman_cannot_change_program(self):
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.user_sales).write({"prm_state": "suspended"})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_sales).create(
                {"name": "Self-made partner", "is_company": True, "prm_state": "active"}
            )
        # ordinary contact edits stay possible
        self.partner_a.with_user(self.user_sales).write({"phone": "+36 1 234 5678"})

    def test_salesman_duplicates_partners(self):
        """Duplicating a company copies none of its program data, so anyone
        who may create contacts may duplicate a member or a non-member."""
        self.partner_a.prm_territory_country_ids = self.env.ref("base.hu")
        copy = self.partner_a.with_user(self.user_sales).copy()
        self.assertFalse(copy.prm_state)
        self.assertFalse(copy.prm_partner_type)
        self.assertFalse(copy.prm_channel_manager_id)
        self.assertFalse(copy.prm_territory_country_ids)
        plain = self.env["res.partner"].create({"name": "Plain Customer"})
        self.assertTrue(plain.with_user(self.user_sales).copy())

    def test_evaluation_button_respects_management(self):
        self._invoice(self.partner_b, 2000.0)
        with self.assertRaises(AccessError):
            self.partner_b.with_user(self.user_channel).action_prm_evaluate_tier()
        self.partner_b.with_user(self.user_channel_other).action_prm_evaluate_tier()
        self.assertEqual(self.partner_b.grade_id, self.tier_silver)

    def test_agreements_visible_to_their_channel_manager(self):
        Agreement = self.env["prm.agreement"]
        visible = Agreement.with_user(self.user_channel).search([])
        self.assertIn(self.agreement_a, visible)
        self.assertNotIn(self.agreement_b, visible)
        with self.assertRaises(AccessError):
            self.agreement_b.with_user(self.user_channel).read(["name"])
        admin_visible = Agreement.with_user(self.user_prm_admin).search([])
        self.assertIn(self.agreement_b, admin_visible)
        with self.assertRaises(AccessError):
            Agreement.with_user(self.user_sales).search([])

    def test_portal_roles(self):
        Agreement = self.env["prm.agreement"]
        seen = Agreement.with_user(self.portal_a_admin).search([])
        self.assertEqual(seen, self.agreement_a, "own, signed agreements only")
        with self.assertRaises(AccessError):
            self.agreement_b.with_user(self.portal_a_admin).read(["name"])
        with self.assertRaises(AccessError):
            self.agreement_a.with_user(self.portal_a_admin).write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            Agreement.with_user(self.portal_a_member).search([])

        History = self.env["prm.tier.history"]
        own = History.with_user(self.portal_a_member).search([])
        self.assertTrue(own)
        self.assertEqual(own.partner_id, self.partner_a)
        other = self.partner_b.prm_tier_history_ids
        self.assertTrue(other)
        with self.assertRaises(AccessError):
            other.with_user(self.portal_a_member).read(["to_grade_id"])

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "PRM Other Co"})
        foreign = self.env["prm.agreement"].create(
            {
                "name": "Other company agreement",
                "partner_id": self.partner_a.id,
                "company_id": other_company.id,
            }
        )
        self.assertNotIn(
            foreign, self.env["prm.agreement"].with_user(self.user_prm_admin).search([])
        )
        self.user_prm_admin.company_ids |= other_company
        visible = (
            self.env["prm.agreement"]
            .with_user(self.user_prm_admin)
            .with_context(allowed_company_ids=[self.env.company.id, other_company.id])
            .search([])
        )
        self.assertIn(foreign, visible)
