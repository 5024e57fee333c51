# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from contextlib import closing

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged

CUSTOMER = {
    "customer_name": "Concurrent Customer Zrt.",
    "customer_vat": "HU55667788",
    "customer_website": "www.concurrent-customer.example.hu",
}


@tagged("post_install", "-at_install")
class TestConcurrency(TransactionCase):
    """Two partners submit the same customer at the same moment, in two real
    transactions on two connections: exactly one gets the protection.

    The data both transactions use is committed first (the test's own
    transaction is invisible to other connections), and everything committed
    is deleted at the end: the test database is shared.
    """

    def _env(self, cr):
        # no immediate mail delivery from the worker threads
        return api.Environment(
            cr,
            SUPERUSER_ID,
            {"tracking_disable": True, "mail_notify_force_send": False},
        )

    def _setup_committed_data(self, db):
        with closing(db.cursor()) as cr:
            env = self._env(cr)
            tier = env["res.partner.grade"].create(
                {
                    "name": "Concurrency Test Tier",
                    "prm_rank": 9999,
                    "prm_auto_approve": True,
                    "prm_protection_days": 30,
                }
            )
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Concurrency Partner {letter}",
                        "is_company": True,
                        "prm_state": "active",
                        "prm_partner_type": "reseller",
                        "grade_id": tier.id,
                    }
                    for letter in "AB"
                ]
            )
            cr.commit()
            return tier.id, partners.ids

    def _cleanup(self, db, tier_id, partner_ids):
        with closing(db.cursor()) as cr:
            env = self._env(cr)
            registrations = (
                env["prm.deal.registration"]
                .with_context(active_test=False)
                .search([("partner_id", "in", partner_ids)])
            )
            leads = registrations.lead_id
            registrations.unlink()
            leads.unlink()
            partners = env["res.partner"].browse(partner_ids).exists()
            partners.child_ids.unlink()
            partners.unlink()
            env["res.partner.grade"].browse(tier_id).exists().unlink()
            cr.commit()

    def test_same_customer_same_moment(self):
        db = db_connect(self.env.cr.dbname)
        tier_id, partner_ids = self._setup_committed_data(db)
        barrier = threading.Barrier(len(partner_ids), timeout=30)
        results = {}
        envs = {}

        def submit(partner_id):
            threading.current_thread().testing = True
            env = envs[partner_id]
            try:
                with closing(env.cr) as cr:
                    registration = env["prm.deal.registration"].create(
                        {
                            "partner_id": partner_id,
                            "customer_country_id": env.ref("base.hu").id,
                            "date_expected_close": fields.Date.today(),
                            "expected_revenue": 5000.0,
                            **CUSTOMER,
                        }
                    )
                    # both transactions have started (and taken their snapshot)
                    # before either submits
                    env.flush_all()
                    barrier.wait()
                    registration.action_submit()
                    cr.commit()
                    results[partner_id] = registration.id
            except Exception as error:  # noqa: BLE001 - reported by the test
                results[partner_id] = error

        try:
            # The environments are made here: the first environment of a
            # cursor looks the registry up, under a lock the test runner holds.
            envs.update(
                (partner_id, self._env(db.cursor())) for partner_id in partner_ids
            )
            threads = [
                threading.Thread(target=submit, args=(partner_id,))
                for partner_id in partner_ids
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            self.assertFalse(any(thread.is_alive() for thread in threads))
            errors = [
                value for value in results.values() if isinstance(value, Exception)
            ]
            self.assertFalse(errors, "both submissions commit")
            with closing(db.cursor()) as cr:
                env = self._env(cr)
                registrations = env["prm.deal.registration"].browse(
                    list(results.values())
                )
                states = sorted(registrations.mapped("state"))
                self.assertEqual(states, ["approved", "submitted"])
                winner = registrations.filtered(lambda r: r.state == "approved")
                loser = registrations - winner
                self.assertTrue(winner.lead_id)
                self.assertEqual(winner.lead_id.partner_assigned_id, winner.partner_id)
                self.assertFalse(loser.lead_id)
                # the reviewer sees why the second one waits
                self.assertTrue(loser.has_conflict)
                self.assertTrue(loser.conflict_ids.filtered("is_blocking"))
        finally:
            self._cleanup(db, tier_id, partner_ids)
