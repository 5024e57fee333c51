# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import PrmTrainingCase


@tagged("post_install", "-at_install")
class TestCourseAccess(PrmTrainingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_prm_training()
        Channel = cls.env["slide.channel"]
        cls.course_gold = Channel.create(
            {
                "name": "Gold Partner Masterclass",
                "is_published": True,
                "visibility": "public",
                "enroll": "public",
                "prm_grade_ids": [Command.link(cls.tier_gold.id)],
                "slide_ids": [
                    Command.create(
                        {
                            "name": "Masterclass lesson",
                            "slide_category": "article",
                            "is_published": True,
                            "is_preview": True,
                        }
                    )
                ],
            }
        )
        cls.course_var = Channel.create(
            {
                "name": "VAR Integration Course",
                "is_published": True,
                "visibility": "public",
                "prm_partner_type_ids": [
                    Command.link(
                        cls.env.ref("prm_training.prm_training_partner_type_var").id
                    )
                ],
            }
        )
        cls.course_open = Channel.create(
            {"name": "Open Product Tour", "is_published": True, "visibility": "public"}
        )
        cls.partner_a.with_context(prm_tier_evaluation=True).write(
            {"grade_id": cls.tier_gold.id}
        )
        cls.courses = cls.course_gold | cls.course_var | cls.course_open

    def _visible(self, user):
        return (
            self.env["slide.channel"]
            .with_user(user)
            .search([("id", "in", self.courses.ids)])
        )

    def test_restricted_flag(self):
        self.assertTrue(self.course_gold.prm_is_restricted)
        self.assertTrue(self.course_var.prm_is_restricted)
        self.assertFalse(self.course_open.prm_is_restricted)

    def test_visibility_by_tier_and_type(self):
        # partner A: gold reseller; partner B: bronze VAR
        self.assertEqual(
            self._visible(self.portal_a_member), self.course_gold | self.course_open
        )
        self.assertEqual(
            self._visible(self.portal_b_admin), self.course_var | self.course_open
        )
        with self.assertRaises(AccessError):
            self.course_gold.with_user(self.portal_b_admin).read(["name"])
        with self.assertRaises(AccessError):
            self.course_var.with_user(self.portal_a_admin).read(["name"])
        lesson = self.course_gold.slide_ids
        self.assertFalse(
            self.env["slide.slide"]
            .with_user(self.portal_b_admin)
            .search([("id", "in", lesson.ids)]),
            "the content of a hidden course is hidden too",
        )
        self.assertEqual(
            self.env["slide.slide"]
            .with_user(self.portal_a_member)
            .search([("id", "in", lesson.ids)]),
            lesson,
        )
        self.assertTrue(
            self.course_gold.with_user(self.portal_a_member).prm_partner_allowed
        )
        self.assertFalse(
            self.course_gold.with_user(self.portal_b_admin).prm_partner_allowed
        )

    def test_tier_change_applies_at_once(self):
        self.assertNotIn(self.course_gold, self._visible(self.portal_b_admin))
        self.partner_b.with_context(prm_tier_evaluation=True).write(
            {"grade_id": self.tier_gold.id}
        )
        self.assertIn(self.course_gold, self._visible(self.portal_b_admin))
        self.partner_a.action_prm_suspend()  # suspended partners keep access
        self.assertIn(self.course_gold, self._visible(self.portal_a_admin))
        self.partner_a.action_prm_terminate()
        self.assertEqual(self._visible(self.portal_a_admin), self.course_open)

    def test_internal_and_public_users(self):
        self.assertEqual(self._visible(self.user_channel), self.courses)
        public = self.env.ref("base.public_user")
        self.assertEqual(self._visible(public), self.course_open)
        customer = self.env["res.users"].create(
            {
                "name": "Plain customer",
                "login": "training_customer",
                "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        self.assertEqual(self._visible(customer), self.course_open)

    def test_negative_search(self):
        hidden = (
            self.env["slide.channel"]
            .with_user(self.portal_b_admin)
            .sudo()
            .search(
                [("id", "in", self.courses.ids), ("prm_partner_allowed", "=", False)]
            )
        )
        self.assertEqual(hidden, self.course_gold)

    def test_course_page(self):
        url = f"/slides/{self.course_gold.id}"
        self.authenticate("training_b_admin", "training_b_admin_pwd")
        response = self.url_open(url)
        self.assertNotIn("Gold Partner Masterclass", response.text)
        self.assertIn("invite_error=no_rights", response.url)
        response = self.url_open("/slides/all")
        self.assertNotIn("Gold Partner Masterclass", response.text)
        self.assertIn("Open Product Tour", response.text)

        self.authenticate("training_a_member", "training_a_member_pwd")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Gold Partner Masterclass", response.text)

        self.authenticate(None, None)
        response = self.url_open(url)
        self.assertNotIn("Gold Partner Masterclass", response.text)
