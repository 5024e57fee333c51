# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL, create_index

from .prm_commission_rule import DEAL_ORIGINS


class PrmCommissionEntitlement(models.Model):
    """What a product line of a posted customer invoice earns once fully
    released: its rule, base and amount after bands and caps.

    The engine writes one row per entitled invoice line when the invoice is
    posted and deletes it when the invoice goes back to draft, so the rows
    are exactly the entitlements of the posted invoices. The running sums
    of bands and caps, the release of the commission lines and the
    true-ups read them. A narrow table of its own: posting invoices in bulk
    inserts these rows by the hundred thousand, which costs a fraction of
    rewriting the invoice lines and their indexes.
    """

    _name = "prm.commission.entitlement"
    _description = "Commission Entitlement"
    _log_access = False
    _order = "date desc, id desc"
    _rec_name = "invoice_line_id"

    invoice_line_id = fields.Many2one(
        "account.move.line", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Commission Partner", required=True, readonly=True
    )
    rule_id = fields.Many2one(
        "prm.commission.rule",
        string="Commission Rule",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    date = fields.Date(string="Invoice Date", required=True, readonly=True)
    deal_origin = fields.Selection(DEAL_ORIGINS, readonly=True)
    currency_id = fields.Many2one(related="invoice_line_id.currency_id")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    base = fields.Monetary(string="Commission Base", readonly=True)
    base_company = fields.Monetary(
        string="Commission Base (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        help="Untaxed amount counted in the partner's volume for bands.",
    )
    raw_company = fields.Float(string="Commission before Caps", readonly=True)
    rate = fields.Float(string="Commission Rate", digits=(16, 4), readonly=True)
    amount = fields.Monetary(string="Commission Earned", readonly=True)
    amount_company = fields.Monetary(
        string="Commission Earned (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
    )

    _sql_constraints = [
        (
            "invoice_line_unique",
            "UNIQUE(invoice_line_id)",
            "An invoice line has one commission entitlement.",
        ),
    ]

    def init(self):
        # the running sums of a volume period: rules, partners, dates
        create_index(
            self.env.cr,
            "prm_commission_entitlement_rule_partner_date_index",
            self._table,
            ["rule_id", "partner_id", "date"],
        )

    def _prm_delete_for_moves(self, move_ids):
        """Delete the entitlements of the invoices ``move_ids``."""
        if not move_ids:
            return
        self.env["account.move.line"].flush_model(["move_id"])
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM prm_commission_entitlement e
                 USING account_move_line l
                 WHERE l.id = e.invoice_line_id AND l.move_id = ANY(%s)
                """,
                list(move_ids),
            )
        )
        self.invalidate_model()
