# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import mail_new_test_user


class PrmCommon(AccountTestInvoicingCommon):
    """Three tiers of our own, a channel team and two program partners."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # the accounting test user also runs the program
        cls.env.user.groups_id |= cls.env.ref("prm_base.group_prm_manager")
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        Grade = cls.env["res.partner.grade"]
        Grade.search([]).write({"active": False})
        cls.tier_bronze = Grade.create(
            {"name": "Test Bronze", "prm_rank": 10, "prm_grace_days": 0}
        )
        cls.tier_silver = Grade.create(
            {
                "name": "Test Silver",
                "prm_rank": 20,
                "prm_min_revenue": 1000.0,
                "prm_grace_days": 30,
            }
        )
        cls.tier_gold = Grade.create(
            {
                "name": "Test Gold",
                "prm_rank": 30,
                "prm_min_revenue": 5000.0,
                "prm_min_won_deals": 2,
                "prm_grace_days": 30,
            }
        )
        company = cls.env.company
        cls.user_prm_admin = mail_new_test_user(
            cls.env,
            login="prm_admin",
            groups="base.group_user,prm_base.group_prm_manager",
            company_id=company.id,
        )
        cls.user_channel = mail_new_test_user(
            cls.env,
            login="prm_channel",
            groups="base.group_user,prm_base.group_prm_user,"
            "sales_team.group_sale_salesman",
            company_id=company.id,
        )
        cls.user_channel_other = mail_new_test_user(
            cls.env,
            login="prm_channel_other",
            groups="base.group_user,prm_base.group_prm_user",
            company_id=company.id,
        )
        cls.user_sales = mail_new_test_user(
            cls.env,
            login="prm_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=company.id,
        )
        cls.partner_a = cls._create_member("Partner A", cls.user_channel)
        cls.partner_b = cls._create_member("Partner B", cls.user_channel_other)
        cls.customer = cls.env["res.partner"].create(
            {"name": "End Customer", "is_company": True}
        )
        cls.stage_won = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)

    def flush_tracking(self):
        """Run the pending tracking, as a commit would."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    @classmethod
    def _create_member(cls, name, manager=None, state="active", **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "prm_partner_type": "reseller",
                "prm_state": state,
                "prm_channel_manager_id": manager.id if manager else False,
                **values,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, days_ago=10, move_type="out_invoice", **vals):
        move = cls.init_invoice(
            move_type,
            partner=partner,
            invoice_date=cls.today - timedelta(days=days_ago),
            amounts=[amount],
            taxes=cls.env["account.tax"],
        )
        if vals:
            move.write(vals)
        move.action_post()
        return move

    @classmethod
    def _opportunity(cls, channel_partner, revenue, outcome=None):
        lead = cls.env["crm.lead"].create(
            {
                "name": f"Deal of {channel_partner.name}",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "expected_revenue": revenue,
                "prm_channel_partner_id": channel_partner.id,
            }
        )
        if outcome == "won":
            lead.action_set_won()
        elif outcome == "lost":
            lead.action_set_lost()
        return lead
