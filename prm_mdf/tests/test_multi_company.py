# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(PrmMdfCommon, HttpCase):
    """Funds of a second company in another currency: its back office and its
    partners' portal see them only, and they are paid from its journal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.myr = cls.setup_other_currency("MYR", rates=[("2000-01-01", 4.0)])
        cls.company_b = cls.setup_other_company(
            name="PRM Asia Pacific", currency_id=cls.myr.id
        )["company"]
        cls.company_b.prm_mdf_payment_mode = "bill"
        cls.user_b = mail_new_test_user(
            cls.env,
            login="mdf_mc_manager_b",
            groups="base.group_user,prm_base.group_prm_manager,"
            "account.group_account_invoice",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.partner_my = cls._create_member(
            "Partner Malaysia", company_id=cls.company_b.id
        )
        cls.portal_my = mail_new_test_user(
            cls.env,
            login="mdf_mc_portal_my",
            groups="base.group_portal,prm_base.group_prm_partner_admin",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.portal_my.partner_id.parent_id = cls.partner_my
        env_b = cls.env(
            context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids)
        )
        cls.period_b = env_b["prm.mdf.period"].create(
            {
                "name": "Asia Pacific funds",
                "period_type": "quarter",
                "date_from": cls.period.date_from,
                "budget": 50000.0,
                "allocation_rule": "manual",
            }
        )
        cls.period_b.action_open()
        cls.alloc_my = env_b["prm.mdf.allocation"].create(
            {
                "period_id": cls.period_b.id,
                "partner_id": cls.partner_my.id,
                "amount": 8000.0,
            }
        )
        cls.request_b = (
            cls.env["prm.mdf.request"]
            .with_user(cls.portal_my)
            .create(
                {
                    "title": "Kuala Lumpur roadshow",
                    "activity_type": "event",
                    "date_start": cls.today,
                    "date_end": cls.today + timedelta(days=1),
                    "amount_requested": 2000.0,
                }
            )
            .with_env(env_b)
        )
        cls.request_b.with_user(cls.portal_my).action_submit()
        cls.request_b._action_approve()
        cls.claim_b = env_b["prm.mdf.claim"].create(
            {"request_id": cls.request_b.id, "amount": 1500.0}
        )
        cls.claim_b.proof_attachment_ids = [Command.link(cls._proof(cls.claim_b).id)]
        cls.claim_b.action_submit()
        cls.request_a = cls._approved_request(amount=700.0, title="Budapest summit")
        cls.claim_a = cls._claim(cls.request_a, 600.0)

    def test_records_of_company_b_are_in_company_b(self):
        self.assertEqual(self.request_b.company_id, self.company_b)
        self.assertEqual(self.request_b.currency_id, self.myr)
        self.assertEqual(self.request_b.allocation_id, self.alloc_my)
        self.assertEqual(self.alloc_my.currency_id, self.myr)
        self.assertEqual(self.claim_b.company_id, self.company_b)

    def test_back_office_of_company_b_sees_nothing_of_a(self):
        self.env.flush_all()
        for model, records_a, records_b in (
            ("prm.mdf.period", self.period, self.period_b),
            ("prm.mdf.allocation", self.alloc_a | self.alloc_b, self.alloc_my),
            ("prm.mdf.request", self.request_a, self.request_b),
            ("prm.mdf.claim", self.claim_a, self.claim_b),
        ):
            found = (
                self.env[model]
                .with_user(self.user_b)
                .search([("id", "in", (records_a | records_b).ids)])
            )
            self.assertEqual(found.ids, records_b.ids, model)
        rows = (
            self.env["prm.mdf.report"]
            .with_user(self.user_b)
            .search([("request_id", "in", (self.request_a | self.request_b).ids)])
        )
        self.assertEqual(rows.request_id.ids, self.request_b.ids)
        self.assertEqual(rows.currency_id, self.myr)

    def test_bill_in_the_journal_of_its_company(self):
        self.claim_b.with_user(self.user_b).action_approve()
        bill = self.claim_b.move_id
        self.assertEqual(bill.company_id, self.company_b)
        self.assertEqual(bill.journal_id, self.company_b.prm_mdf_journal_id)
        self.assertEqual(bill.journal_id.company_id, self.company_b)
        self.assertEqual(bill.currency_id, self.myr)
        self.assertEqual(bill.amount_total, 1500.0)
        self.claim_a.action_approve()
        self.assertEqual(self.claim_a.move_id.journal_id.company_id, self.company)

    def test_portal_of_company_b_partner(self):
        self.authenticate(self.portal_my.login, self.portal_my.login)
        response = self.url_open("/my/funds")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Kuala Lumpur roadshow", response.text)
        self.assertNotIn("Budapest summit", response.text)
        response = self.url_open(f"/my/funds/request/{self.request_a.id}")
        self.assertNotIn("Budapest summit", response.text)
        response = self.url_open(f"/my/funds/request/{self.request_b.id}")
        self.assertIn("Kuala Lumpur roadshow", response.text)
