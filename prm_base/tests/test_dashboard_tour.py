# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_renders(self):
        user = mail_new_test_user(
            self.env,
            login="prm_dashboard_user",
            groups="base.group_user,prm_base.group_prm_manager",
        )
        self.start_tour(
            "/odoo/action-prm_base.prm_dashboard_action",
            "prm_base_dashboard",
            login=user.login,
        )
