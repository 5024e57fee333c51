# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import random

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import float_round

from odoo.addons.prm_commission.models.account_move_line import currency_rounder

from .common import PrmCommissionCommon

_logger = logging.getLogger(__name__)

# Queries of the commission computation of a batch of posted invoices, whatever
# the number of invoices and lines (measured with 1 and 20 invoices).
POST_QUERIES = 28
# Queries of the release on payment (sync) of a batch of invoices.
SYNC_QUERIES = 9


@tagged("post_install", "-at_install")
class TestCommissionPerformance(PrmCommissionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan.write(
            {
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Support",
                            "sequence": 1,
                            "categ_ids": [Command.set(cls.categ_services.ids)],
                            "rate": 20,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Bands",
                            "sequence": 5,
                            "product_ids": [Command.set(cls.hardware.ids)],
                            "rate_type": "bands",
                            "cap_amount": 5000,
                            "band_ids": [
                                Command.create(
                                    {"amount_from": 0, "amount_to": 1000, "rate": 5}
                                ),
                                Command.create(
                                    {"amount_from": 1000, "amount_to": 0, "rate": 8}
                                ),
                            ],
                        }
                    ),
                ]
            }
        )

    def _draft_invoices(self, count, post=True):
        """``count`` invoices of 3 lines for two partners, posted without
        computing their commissions yet."""
        moves = self.env["account.move"]
        for index in range(count):
            moves |= self._make_invoice(
                self.partner_a if index % 2 else self.partner_b,
                [
                    (self.licence, 1, 1000.0 + index),
                    (self.support, 2, 100.0),
                    (self.hardware, 10, 50.0),
                ],
                post=False,
            )
        if not post:
            return moves
        moves.with_context(prm_commission_skip=True).action_post()
        self.assertFalse(self._lines(moves))
        self.env.flush_all()
        self.env.invalidate_all()
        return moves

    def _count_queries(self, function):
        self.env.flush_all()
        self.env.cr.flush()
        start = self.cr.sql_log_count
        result = function()
        self.env.flush_all()
        self.env.cr.flush()
        return self.cr.sql_log_count - start, result

    def _measure(self, method):
        """Queries of ``method`` on batches of 1 and 20 invoices, after a warm-up
        that fills the registry caches."""
        counts = {}
        for count in (2, 1, 20):
            moves = self._draft_invoices(count)
            if method == "sync":
                moves._prm_commission_on_post()
                self.env.flush_all()
                self.env.invalidate_all()
            counts[count], result = self._count_queries(
                getattr(moves, f"_prm_commission_{method}")
            )
        _logger.info(
            "prm_commission %s: %s queries for 1 invoice, %s for 20 invoices "
            "(3 lines each)",
            method,
            counts[1],
            counts[20],
        )
        return counts, result

    def test_post_queries_do_not_grow_with_invoices(self):
        counts, lines = self._measure("on_post")
        self.assertEqual(len(lines), 60)
        self.assertEqual(counts[1], counts[20])
        self.assertLessEqual(counts[20], POST_QUERIES)

    def test_sync_queries_do_not_grow_with_invoices(self):
        counts, lines = self._measure("sync")
        self.assertFalse(lines, "nothing more to release")
        self.assertEqual(counts[1], counts[20])
        self.assertLessEqual(counts[20], SYNC_QUERIES)

    def test_whole_posting_figures(self):
        """Queries of ``action_post`` itself, with and without commissions: what
        the addon adds stays far below one query per invoice or line."""
        self._draft_invoices(2, post=False).action_post()  # warm-up
        figures = {}
        for count in (1, 20, 40):
            for skip in (True, False):
                moves = self._draft_invoices(count, post=False)
                self.env.flush_all()
                self.env.invalidate_all()
                figures[(count, skip)], _result = self._count_queries(
                    moves.with_context(prm_commission_skip=skip).action_post
                )
            self.assertEqual(len(self._lines(moves)), 3 * count)
        added = {
            count: figures[(count, False)] - figures[(count, True)]
            for count in (1, 20, 40)
        }
        _logger.info(
            "action_post queries with commissions (without): 1 invoice %s (%s), "
            "20 invoices %s (%s), 40 invoices %s (%s)",
            *(
                figures[(count, skip)]
                for count in (1, 20, 40)
                for skip in (False, True)
            ),
        )
        # far from one query per invoice or line (60 and 120 lines)
        self.assertLess(added[20], 3 * 20)
        self.assertLessEqual(added[40] - added[20], 10)

    def test_engine_rounds_like_the_currency(self):
        """The engine's rounder gives exactly ``float_round``'s results, ties
        and representation errors included."""
        generator = random.Random(7)
        values = [2.675, -2.675, 0.005, -0.005, 1.005, 0.0, 1e9 + 0.5, 1e-12]
        values += [generator.uniform(-1e6, 1e6) for _i in range(2000)]
        values += [round(generator.uniform(-1e4, 1e4), 3) for _i in range(2000)]
        for rounding in (0.01, 0.001, 0.05, 0.5, 1.0, 100.0):
            rounder = currency_rounder(rounding)
            for value in values:
                self.assertEqual(
                    rounder(value),
                    float_round(value, precision_rounding=rounding),
                    f"{value} at {rounding}",
                )
