# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Races between real transactions: several threads, each on its own database
connection, do the same thing at the same moment, over several rounds.

- partners register one customer: exactly one registration is protected;
- a partner's fund requests exceed its allocation: what is reserved never
  exceeds the allocation;
- accountants bill one commission statement: one vendor bill.

The test's own transaction is invisible to other connections, so each round
commits its data through a separate cursor and deletes it afterwards.
"""

import logging
import threading
import time
from contextlib import closing
from datetime import date, timedelta

from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged

_logger = logging.getLogger(__name__)

THREADS = 4
ROUNDS = 3
# unlike one another, so that one round's customer does not conflict with the next
CUSTOMERS = ["Aurora Logisztika", "Borostyán Bútorgyár", "Cédrus Nyomdaipari"]
MAX_TRIES = 5


@tagged("post_install", "-at_install")
class TestConcurrentRaces(TransactionCase):
    def _env(self, cr, uid=SUPERUSER_ID):
        """An environment on a cursor of its own, with the loaded registry
        (looking it up by name would wait for the test runner's lock)."""
        cr.transaction = Transaction(self.registry)
        return api.Environment(
            cr, uid, {"tracking_disable": True, "mail_notify_force_send": False}
        )

    def _committed(self, func, uid=SUPERUSER_ID):
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            result = func(self._env(cr, uid))
            cr.flush()
            cr.commit()
            return result

    def _race(self, func, args_list, uid=SUPERUSER_ID):
        """Run ``func(env, arg)`` in one thread per argument, all released at
        once; each commits, or retries on a serialization failure as Odoo does
        for an HTTP request. Returns ``{arg: result or error text}``."""
        barrier = threading.Barrier(len(args_list), timeout=30)
        results = {}

        def run(arg):
            with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
                env = self._env(cr, uid)
                try:
                    barrier.wait()
                    for _attempt in range(MAX_TRIES):
                        try:
                            value = func(env, arg)
                            env.flush_all()
                            cr.commit()
                            results[arg] = value
                            break
                        except errors.SerializationFailure:
                            cr.rollback()
                            env.invalidate_all()
                            time.sleep(0.05)
                except UserError as error:
                    cr.rollback()
                    results[arg] = f"refused: {error}"
                except Exception as error:  # reported by the assertions
                    cr.rollback()
                    results[arg] = f"error: {error!r}"

        threads = [threading.Thread(target=run, args=(arg,)) for arg in args_list]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        self.assertEqual(len(results), len(args_list), results)
        errors_ = [v for v in results.values() if str(v).startswith("error")]
        self.assertFalse(errors_, errors_)
        return results

    def _partners(self, env, name, count, tier=None):
        return env["res.partner"].create(
            [
                {
                    "name": f"{name} {index}",
                    "is_company": True,
                    "prm_state": "active",
                    "prm_partner_type": "reseller",
                    "grade_id": tier.id if tier else False,
                }
                for index in range(count)
            ]
        )

    # ------------------------------------------------------------------
    # Deal registration
    # ------------------------------------------------------------------

    def test_one_customer_registered_by_many(self):
        def setup(env):
            tier = env["res.partner.grade"].create(
                {
                    "name": "Race Tier",
                    "prm_rank": 9990,
                    "prm_auto_approve": True,
                    "prm_protection_days": 30,
                }
            )
            partners = self._partners(env, "Race Registrant", THREADS, tier)
            return tier.id, partners.ids

        tier_id, partner_ids = self._committed(setup)
        self.addCleanup(self._committed, self._cleanup_registrations(tier_id))
        for round_ in range(ROUNDS):
            customer = {
                "customer_name": f"{CUSTOMERS[round_]} Zrt.",
                "customer_vat": f"HU7{round_}123456",
                "customer_website": f"www.race-customer-{round_}.example.hu",
            }

            def create(env, partner_id, customer=customer):
                return (
                    env["prm.deal.registration"]
                    .create(
                        {
                            "partner_id": partner_id,
                            "customer_country_id": env.ref("base.hu").id,
                            "date_expected_close": fields.Date.today(),
                            "expected_revenue": 5000.0,
                            **customer,
                        }
                    )
                    .id
                )

            registration_ids = [
                self._committed(lambda env, p=p: create(env, p)) for p in partner_ids
            ]

            def submit(env, registration_id):
                env["prm.deal.registration"].browse(registration_id).action_submit()
                return "submitted"

            results = self._race(submit, registration_ids)

            def check(env, registration_ids=registration_ids):
                registrations = env["prm.deal.registration"].browse(registration_ids)
                return registrations.mapped("state"), [
                    bool(r.lead_id) for r in registrations
                ]

            states, leads = self._committed(check)
            _logger.info("registration race %s: %s", round_, results)
            self.assertEqual(states.count("approved"), 1, states)
            self.assertEqual(states.count("submitted"), THREADS - 1, states)
            self.assertEqual(leads.count(True), 1, "one protected opportunity")
        _logger.info(
            "concurrency: %s rounds of %s simultaneous registrations of one "
            "customer, one protected each time",
            ROUNDS,
            THREADS,
        )

    def _cleanup_registrations(self, tier_id):
        def cleanup(env):
            partners = env["res.partner"].search([("grade_id", "=", tier_id)])
            registrations = (
                env["prm.deal.registration"]
                .with_context(active_test=False)
                .search([("partner_id", "in", partners.ids)])
            )
            leads = registrations.lead_id
            registrations.unlink()
            leads.with_context(active_test=False).unlink()
            partners.child_ids.unlink()
            partners.unlink()
            env["res.partner.grade"].browse(tier_id).unlink()

        return cleanup

    # ------------------------------------------------------------------
    # Marketing development funds
    # ------------------------------------------------------------------

    def test_fund_requests_never_exceed_allocation(self):
        allocation_amount = 1000.0
        request_amount = 300.0

        def setup(env):
            partner = self._partners(env, "Race Fund Partner", 1)
            period = env["prm.mdf.period"].create(
                {
                    "name": "Race period",
                    "period_type": "quarter",
                    "date_from": date(2098, 1, 1),
                    "budget": allocation_amount * ROUNDS,
                    "allocation_rule": "manual",
                    "state": "open",
                }
            )
            allocation = env["prm.mdf.allocation"].create(
                {
                    "period_id": period.id,
                    "partner_id": partner.id,
                    "amount": allocation_amount,
                }
            )
            return partner.id, period.id, allocation.id

        partner_id, period_id, allocation_id = self._committed(setup)

        def cleanup(env):
            requests = env["prm.mdf.request"].search([("partner_id", "=", partner_id)])
            requests._prm_transition().write({"state": "cancelled"})
            requests.unlink()
            env["prm.mdf.allocation"].browse(allocation_id).unlink()
            env["prm.mdf.period"].browse(period_id).unlink()
            env["res.partner"].browse(partner_id).unlink()

        self.addCleanup(self._committed, cleanup)
        uid = self.env.ref("base.user_admin").id
        submitted_total = 0
        for round_ in range(ROUNDS):

            def create(env, round_=round_):
                return (
                    env["prm.mdf.request"]
                    .create(
                        [
                            {
                                "title": f"Race event {round_}-{index}",
                                "partner_id": partner_id,
                                "date_start": date(2098, 1, 10),
                                "date_end": date(2098, 1, 11),
                                "amount_requested": request_amount,
                            }
                            for index in range(THREADS)
                        ]
                    )
                    .ids
                )

            request_ids = self._committed(create)

            def submit(env, request_id):
                env["prm.mdf.request"].browse(request_id).action_submit()
                return "submitted"

            results = self._race(submit, request_ids, uid=uid)
            submitted = [r for r in results.values() if r == "submitted"]
            submitted_total += len(submitted)

            def balances(env):
                allocation = env["prm.mdf.allocation"].browse(allocation_id)
                return allocation._prm_balances()[allocation_id]

            balance = self._committed(balances)
            _logger.info("fund race %s: %s, %s", round_, results, balance)
            self.assertLessEqual(balance["committed"], balance["allocated"])
            self.assertEqual(balance["committed"], submitted_total * request_amount)
            self.assertGreaterEqual(balance["remaining"], 0.0)
            for refusal in set(results.values()) - {"submitted"}:
                self.assertIn("remain", refusal)
        # 1000 holds three requests of 300: the first round fills it
        self.assertEqual(submitted_total, int(allocation_amount // request_amount))
        _logger.info(
            "concurrency: %s rounds of %s simultaneous fund requests, "
            "committed never above the allocation",
            ROUNDS,
            THREADS,
        )

    # ------------------------------------------------------------------
    # Commission statements
    # ------------------------------------------------------------------

    def test_statement_billed_once(self):
        invoice_date = fields.Date.today() - timedelta(days=40)

        def setup(env):
            plan = env["prm.commission.plan"].create(
                {
                    "name": "Race plan",
                    "trigger": "posted",
                    "statement_period": "month",
                    "volume_period": "month",
                    "rule_ids": [
                        Command.create(
                            {"name": "All", "rate_type": "percent", "rate": 10.0}
                        )
                    ],
                }
            )
            tier = env["res.partner.grade"].create(
                {
                    "name": "Race Commission Tier",
                    "prm_rank": 9991,
                    "prm_commission_plan_id": plan.id,
                }
            )
            partners = self._partners(env, "Race Commission Partner", ROUNDS, tier)
            customer = env["res.partner"].create({"name": "Race Customer"})
            product = env["product.product"].create(
                {"name": "Race Licence", "list_price": 1000.0, "taxes_id": False}
            )
            statement_ids = []
            for partner in partners:
                invoice = env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": customer.id,
                        "invoice_date": invoice_date,
                        "prm_channel_partner_id": partner.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": 1000.0,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
                invoice.action_post()
                statement = env["prm.commission.statement"]._prm_generate_statements(
                    fields.Date.today(), partner
                )
                statement.action_approve()
                statement_ids.append(statement.id)
            return statement_ids

        statement_ids = self._committed(setup)

        def cleanup(env):
            statements = env["prm.commission.statement"].browse(statement_ids)
            partners = statements.partner_id
            bills = env["account.move"].search(
                [("partner_id", "in", partners.ids), ("move_type", "=", "in_invoice")]
            )
            invoices = env["account.move"].search(
                [("prm_channel_partner_id", "in", partners.ids)]
            )
            tiers = partners.grade_id
            plans = tiers.prm_commission_plan_id
            customers = invoices.partner_id
            products = invoices.invoice_line_ids.product_id
            (bills | invoices).filtered(lambda m: m.state == "posted").button_draft()
            (bills | invoices).with_context(force_delete=True).unlink()
            lines = env["prm.commission.line"].search(
                [("partner_id", "in", partners.ids)]
            )
            env.cr.execute(
                "DELETE FROM prm_commission_line WHERE id IN %s", [tuple(lines.ids)]
            )
            env.cr.execute(
                "DELETE FROM prm_commission_statement WHERE id IN %s",
                [tuple(statement_ids)],
            )
            env.invalidate_all()
            partners.unlink()
            customers.unlink()
            products.product_tmpl_id.unlink()
            tiers.unlink()
            plans.unlink()

        self.addCleanup(self._committed, cleanup)
        uid = self.env.ref("base.user_admin").id
        for round_, statement_id in enumerate(statement_ids):

            def bill(env, _thread, statement_id=statement_id):
                statement = env["prm.commission.statement"].browse(statement_id)
                return statement.action_create_bill().id

            results = self._race(bill, list(range(THREADS)), uid=uid)

            def check(env, statement_id=statement_id):
                statement = env["prm.commission.statement"].browse(statement_id)
                bills = env["account.move"].search(
                    [
                        ("move_type", "=", "in_invoice"),
                        ("partner_id", "=", statement.partner_id.id),
                    ]
                )
                return statement.state, statement.bill_id.id, bills.ids

            state, bill_id, bill_ids = self._committed(check)
            _logger.info("billing race %s: %s", round_, results)
            created = [r for r in results.values() if isinstance(r, int)]
            self.assertEqual(len(created), 1, results)
            self.assertEqual(bill_ids, [bill_id])
            self.assertEqual(created[0], bill_id)
            self.assertEqual(state, "billed")
        _logger.info(
            "concurrency: %s rounds of %s simultaneous billings of one "
            "statement, one vendor bill each time",
            len(statement_ids),
            THREADS,
        )
