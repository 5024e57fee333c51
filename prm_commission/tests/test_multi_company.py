# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PrmCommissionCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(PrmCommissionCommon, HttpCase):
    """Commissions of a second company in another currency: its plans, lines
    and statements stay its own and are billed in its own journal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.myr = cls.setup_other_currency("MYR", rates=[("2000-01-01", 4.0)])
        cls.company_b = cls.setup_other_company(
            name="PRM Asia Pacific", currency_id=cls.myr.id
        )["company"]
        cls.env_b = cls.env(
            context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids)
        )
        cls.user_b = mail_new_test_user(
            cls.env,
            login="com_mc_manager_b",
            groups="base.group_user,prm_base.group_prm_manager,"
            "account.group_account_invoice",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.plan_b = cls.env_b["prm.commission.plan"].create(
            {
                "name": "Asia Pacific plan",
                "trigger": "posted",
                "statement_period": "month",
                "volume_period": "month",
                "rule_ids": [
                    Command.create(
                        {"name": "Everything", "rate_type": "percent", "rate": 5.0}
                    )
                ],
            }
        )
        cls.partner_my = cls._create_member(
            "Partner Malaysia",
            company_id=cls.company_b.id,
            grade_id=cls.tier_bronze.id,
            prm_commission_plan_id=cls.plan_b.id,
        )
        cls.invoice_a = cls._make_invoice(cls.partner_a, [(cls.licence, 1, 1000.0)])
        cls.invoice_b = cls.env_b["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": cls.jan,
                "prm_channel_partner_id": cls.partner_my.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.licence.id,
                            "quantity": 1,
                            "price_unit": 20000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice_b.action_post()
        jan_end = fields.Date.to_date("2024-01-31")
        cls.statement_a = cls.Statement._prm_generate_statements(jan_end, cls.partner_a)
        cls.statement_b = cls.Statement._prm_generate_statements(
            jan_end, cls.partner_my
        )

    def test_lines_and_statements_in_their_company(self):
        line_b = self._lines(self.invoice_b)
        self.assertRecordValues(
            line_b,
            [
                {
                    "company_id": self.company_b.id,
                    "plan_id": self.plan_b.id,
                    "currency_id": self.myr.id,
                    "amount": 1000.0,
                    "amount_company": 1000.0,
                }
            ],
        )
        self.assertRecordValues(
            self.statement_b,
            [
                {
                    "company_id": self.company_b.id,
                    "currency_id": self.myr.id,
                    "amount_total": 1000.0,
                }
            ],
        )
        self.assertEqual(self.statement_a.company_id, self.company)

    def test_back_office_of_company_b_sees_nothing_of_a(self):
        self.env.flush_all()
        lines_a, lines_b = self._lines(self.invoice_a), self._lines(self.invoice_b)
        for model, records_a, records_b in (
            ("prm.commission.plan", self.plan, self.plan_b),
            ("prm.commission.rule", self.plan.rule_ids, self.plan_b.rule_ids),
            ("prm.commission.line", lines_a, lines_b),
            ("prm.commission.statement", self.statement_a, self.statement_b),
        ):
            found = (
                self.env[model]
                .with_user(self.user_b)
                .search([("id", "in", (records_a | records_b).ids)])
            )
            self.assertEqual(found.ids, records_b.ids, model)
        rows = (
            self.env["prm.commission.report"]
            .with_user(self.user_b)
            .search([("line_id", "in", (lines_a | lines_b).ids)])
        )
        self.assertEqual(rows.line_id.ids, lines_b.ids)
        self.assertEqual(rows.currency_id, self.myr)
        # the other way round
        rows = (
            self.env["prm.commission.report"]
            .with_context(allowed_company_ids=self.company.ids)
            .search([("line_id", "in", (lines_a | lines_b).ids)])
        )
        self.assertEqual(rows.line_id.ids, lines_a.ids)

    def test_bills_in_the_journal_of_their_company(self):
        statements = self.statement_a | self.statement_b
        statements.action_approve()
        bills = statements.action_create_bill()
        bill_a = self.statement_a.bill_id
        bill_b = self.statement_b.bill_id
        self.assertEqual(bills, bill_a | bill_b)
        self.assertEqual(bill_b.company_id, self.company_b)
        self.assertEqual(bill_b.journal_id.company_id, self.company_b)
        self.assertEqual(bill_b.journal_id.type, "purchase")
        self.assertEqual(bill_b.currency_id, self.myr)
        self.assertEqual(bill_b.amount_total, 1000.0)
        self.assertEqual(bill_a.company_id, self.company)
        self.assertEqual(bill_a.journal_id.company_id, self.company)

    def test_portal_of_company_b_partner(self):
        self.statement_a.action_approve()
        self.statement_b.action_approve()
        portal_my = mail_new_test_user(
            self.env,
            login="com_mc_portal_my",
            groups="base.group_portal,prm_base.group_prm_partner_admin",
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        portal_my.partner_id.parent_id = self.partner_my
        self.authenticate(portal_my.login, portal_my.login)
        response = self.url_open("/my/commissions")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.statement_b.name, response.text)
        self.assertNotIn(self.statement_a.name, response.text)
        response = self.url_open(f"/my/commissions/{self.statement_a.id}")
        self.assertNotIn(self.statement_a.name, response.text)
