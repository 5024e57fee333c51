# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
import time
from contextlib import closing
from datetime import date

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged

MAX_TRIES = 5

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestReservationConcurrency(TransactionCase):
    """Two submissions of 60% of one allocation at the same moment, in two
    real transactions: exactly one reserves its amount.

    The test's own transaction is invisible to other connections, so the data
    is committed beforehand with a separate cursor and deleted afterwards.
    """

    def _env(self, cr, uid, context):
        """An environment on a cursor of its own. The transaction is made
        with the loaded registry: looking the registry up by name waits for
        the registry lock, which the test runner holds."""
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, uid, context)

    def _in_new_transaction(self, func, uid=SUPERUSER_ID):
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            env = self._env(cr, uid, {"tracking_disable": True})
            result = func(env)
            cr.commit()
            return result

    def _create_data(self, env):
        partner = env["res.partner"].create(
            {
                "name": "Concurrent Partner Kft.",
                "is_company": True,
                "prm_partner_type": "reseller",
                "prm_state": "active",
            }
        )
        # far in the future: no overlap with the periods of the database
        period = env["prm.mdf.period"].create(
            {
                "name": "Concurrency test period",
                "period_type": "quarter",
                "date_from": date(2099, 1, 1),
                "budget": 1000.0,
                "allocation_rule": "manual",
                "state": "open",
            }
        )
        allocation = env["prm.mdf.allocation"].create(
            {"period_id": period.id, "partner_id": partner.id, "amount": 1000.0}
        )
        requests = env["prm.mdf.request"].create(
            [
                {
                    "title": f"Concurrent event {i}",
                    "partner_id": partner.id,
                    "date_start": date(2099, 1, 10),
                    "date_end": date(2099, 1, 11),
                    "amount_requested": 600.0,
                }
                for i in range(2)
            ]
        )
        return partner.id, period.id, allocation.id, requests.ids

    def _delete_data(self, env, partner_id, period_id, allocation_id, request_ids):
        requests = env["prm.mdf.request"].browse(request_ids).exists()
        requests._prm_transition().write({"state": "cancelled"})
        requests.unlink()
        env["prm.mdf.allocation"].browse(allocation_id).exists().unlink()
        env["prm.mdf.period"].browse(period_id).exists().unlink()
        env["res.partner"].browse(partner_id).exists().unlink()

    def test_concurrent_submissions_never_overcommit(self):
        ids = self._in_new_transaction(self._create_data)
        self.addCleanup(
            self._in_new_transaction, lambda env: self._delete_data(env, *ids)
        )
        _partner_id, _period_id, allocation_id, request_ids = ids
        uid = self.env.ref("base.user_admin").id
        barrier = threading.Barrier(len(request_ids), timeout=30)
        results = {}
        retries = []

        def submit(request_id):
            with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
                env = self._env(cr, uid, {})
                try:
                    barrier.wait()
                    # as Odoo does for an HTTP request: a serialization
                    # failure rolls back and retries with a fresh snapshot
                    # (odoo.service.model.retrying, which cannot run here: it
                    # looks the registry up by name)
                    for _attempt in range(MAX_TRIES):
                        try:
                            env["prm.mdf.request"].browse(request_id).action_submit()
                            env.flush_all()
                            cr.commit()
                            results[request_id] = "submitted"
                            break
                        except errors.SerializationFailure:
                            cr.rollback()
                            retries.append(request_id)
                            time.sleep(0.1)
                except UserError as error:
                    cr.rollback()
                    results[request_id] = str(error)
                except Exception as error:  # reported by the assertions below
                    cr.rollback()
                    results[request_id] = repr(error)

        threads = [
            threading.Thread(target=submit, args=(request_id,))
            for request_id in request_ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(any(thread.is_alive() for thread in threads))

        _logger.info(
            "Concurrent submissions: %s, serialization failures retried: %s",
            results,
            len(retries),
        )
        outcomes = sorted(results.values())
        self.assertEqual(len(outcomes), 2, results)
        self.assertEqual(outcomes.count("submitted"), 1, results)
        refusal = next(text for text in outcomes if text != "submitted")
        self.assertIn("only", refusal)
        self.assertIn("remain", refusal)

        def check(env):
            allocation = env["prm.mdf.allocation"].browse(allocation_id)
            balances = allocation._prm_balances()[allocation_id]
            states = env["prm.mdf.request"].browse(request_ids).mapped("state")
            return balances, sorted(states)

        balances, states = self._in_new_transaction(check)
        self.assertEqual(states, ["draft", "submitted"])
        self.assertEqual(balances["committed"], 600.0)
        self.assertLessEqual(balances["committed"], balances["allocated"])
        self.assertEqual(balances["remaining"], 400.0)
