# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import PrmPortalCommon


@tagged("post_install", "-at_install")
class TestAnnouncement(PrmPortalCommon):
    def _announcement(self, name, **values):
        announcement = self.env["prm.announcement"].create(
            {"name": name, "body": f"<p>{name} body</p>", **values}
        )
        announcement.action_publish()
        return announcement

    def test_targeting_by_tier_type_country(self):
        everyone = self._announcement("For everyone")
        top = self._announcement("Top tier only", grade_ids=[(6, 0, self.tier_top.ids)])
        msp = self._announcement("MSPs only", partner_type="msp")
        hungary = self._announcement(
            "Hungary only", country_ids=[(6, 0, self.env.ref("base.hu").ids)]
        )
        draft = self.env["prm.announcement"].create({"name": "Not yet"})
        Announcement = self.env["prm.announcement"]
        created = everyone | top | msp | hungary | draft
        seen_a = Announcement.with_user(self.member_a)._prm_portal_latest(limit=50)
        self.assertEqual(seen_a & created, everyone | hungary)
        seen_b = Announcement.with_user(self.admin_b)._prm_portal_latest(limit=50)
        self.assertEqual(seen_b & created, everyone | top | msp)
        self.assertNotIn(draft, seen_a | seen_b)
        self.login(self.member_a)
        response = self.url_open("/my/partner")
        self.assertIn("Hungary only", response.text)
        self.assertNotIn("MSPs only", response.text)

    def test_publication_email_reaches_targeted_users_only(self):
        self._announcement(
            "Mailed to top tier", grade_ids=[(6, 0, self.tier_top.ids)], send_email=True
        )
        mails = self.env["mail.mail"].search([("subject", "=", "Mailed to top tier")])
        recipients = mails.recipient_ids
        self.assertEqual(recipients, self.admin_b.partner_id)
