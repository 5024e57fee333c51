# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime
from decimal import Decimal

from markupsafe import Markup

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..tools import column_array, insert_rows, update_rows

AWKWARD_TEXTS = [
    "plain",
    "",
    "NULL",
    'a "quoted" word',
    'back\\slash \\" and \\\\',
    "{braces}, commas, (parens)",
    "  spaces around  ",
    "line\nbreak\ttab",
    "ünïcødé – дельта – 中文",
    Markup("<p>Markup &amp; 'quotes' \"too\"</p>"),
    None,
]


@tagged("post_install", "-at_install")
class TestBulkRows(TransactionCase):
    """The bulk writers send values as array literals: what arrives in the
    database must be exactly what was sent."""

    def _round_trip(self, model, name, values):
        field = self.env[model]._fields[name]
        self.env.cr.execute(
            SQL("SELECT unnest(%s)", column_array(field, values)),
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_array_literals_keep_every_value(self):
        texts = self._round_trip("res.partner", "name", AWKWARD_TEXTS)
        self.assertEqual(texts, [None if v is None else str(v) for v in AWKWARD_TEXTS])
        integers = [0, -1, 2**31 - 1, None, 42]
        self.assertEqual(self._round_trip("res.partner", "color", integers), integers)
        floats = [0.1, -2.5, 1e20, 1.5e-07, 1 / 3, None]
        self.assertEqual(
            self._round_trip("res.partner", "partner_latitude", floats), floats
        )
        decimals = [Decimal("12.345"), Decimal("-0.01"), 7, None]
        self.assertEqual(
            self._round_trip("res.partner", "partner_longitude", decimals),
            [12.345, -0.01, 7.0, None],
        )
        days = [date(2026, 2, 28), None, date(1999, 12, 31)]
        self.assertEqual(
            self._round_trip("res.partner", "prm_downgrade_since", days), days
        )
        moments = [datetime(2026, 11, 23, 10, 5, 7), None]
        self.assertEqual(
            self._round_trip("res.partner", "write_date", moments), moments
        )
        flags = [True, False, None, True]
        self.assertEqual(self._round_trip("res.partner", "active", flags), flags)

    def test_insert_and_update_rows(self):
        Partner = self.env["res.partner"]
        names = [text for text in AWKWARD_TEXTS if text]
        partners = insert_rows(Partner, [{"name": name} for name in names])
        self.assertEqual(len(partners), len(names))
        self.assertEqual(partners.mapped("name"), [str(name) for name in names])
        self.assertTrue(all(partners.mapped("active")), "defaults are applied")
        self.assertFalse(partners.parent_id, "no parent given: none cached")
        update_rows(
            Partner,
            {
                partner.id: {"ref": name, "color": index, "parent_id": False}
                for index, (partner, name) in enumerate(
                    zip(partners, names, strict=True)
                )
            },
        )
        self.assertEqual(partners.mapped("ref"), [str(name) for name in names])
        self.assertEqual(partners.mapped("color"), list(range(len(names))))
