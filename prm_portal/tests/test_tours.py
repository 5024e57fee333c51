# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo.tests import tagged

from .common import PrmPortalCommon


@tagged("post_install", "-at_install")
class TestTours(PrmPortalCommon):
    def test_apply_as_new_partner(self):
        before = self.env["prm.application"].search_count([])
        self.start_tour("/partners/apply", "prm_portal_apply", login=None)
        application = self.env["prm.application"].search(
            [("name", "=", "Tour Partner Kft.")]
        )
        self.assertEqual(len(application), 1)
        self.assertEqual(application.partner_type, "integrator")
        self.assertEqual(application.country_id, self.env.ref("base.hu"))
        self.assertEqual(self.env["prm.application"].search_count([]), before + 1)

    def test_walk_the_dashboard(self):
        self.env["prm.resource"].create(
            {
                "name": "Price list for everyone",
                "file": base64.b64encode(b"a,b"),
                "filename": "prices.csv",
                "state": "published",
            }
        )
        agreement = self.env["prm.agreement"].create(
            {
                "name": "SLA Alpha",
                "partner_id": self.partner_a.id,
                "portal_acceptance": True,
            }
        )
        self.start_tour("/my", "prm_portal_dashboard", login=self.admin_a.login)
        self.assertEqual(agreement.state, "active")
        invited = self.env["res.users"].search(
            [("login", "=", "tour.colleague@alpha.example.com")]
        )
        self.assertEqual(invited.commercial_partner_id, self.partner_a)
