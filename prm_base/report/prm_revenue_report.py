# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

from ..models.res_partner import PARTNER_TYPES


class PrmRevenueReport(models.Model):
    """Attributed revenue, one row per invoice line.

    Same definition as the partner KPIs (``res.partner._prm_compute_kpis``):
    posted customer invoices and credit notes, untaxed, signed (credit notes
    count negative), not excluded from partner revenue, attributed to the
    channel partner or (resale) invoiced to a program member.

    ``amount_company`` is in the currency of the invoice's company (the
    accounting conversion at the invoice date, whatever the invoice currency);
    ``amount`` converts it into the currency of the current company at today's
    rate, so that the figures of several companies add up.

    Tier, partner type, country and channel manager are the channel partner's
    current ones (the tier history keeps the past tiers).
    """

    _name = "prm.revenue.report"
    _description = "Attributed Revenue Analysis"
    _auto = False
    _rec_name = "move_id"
    _order = "date desc, id desc"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(
        [("out_invoice", "Customer Invoice"), ("out_refund", "Credit Note")],
        string="Type",
        readonly=True,
    )
    date = fields.Date(string="Invoice Date", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Channel Partner", readonly=True)
    grade_id = fields.Many2one("res.partner.grade", string="Tier", readonly=True)
    partner_type = fields.Selection(PARTNER_TYPES, string="Partner Type", readonly=True)
    country_id = fields.Many2one("res.country", string="Country", readonly=True)
    channel_manager_id = fields.Many2one(
        "res.users", string="Channel Manager", readonly=True
    )
    customer_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    quantity = fields.Float(string="Quantity", readonly=True)
    company_currency_id = fields.Many2one(
        "res.currency", string="Company Currency", readonly=True
    )
    amount_company = fields.Monetary(
        string="Revenue (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
    )
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    amount = fields.Monetary(
        string="Attributed Revenue", currency_field="currency_id", readonly=True
    )

    _depends = {
        "account.move": [
            "state",
            "move_type",
            "invoice_date",
            "company_id",
            "commercial_partner_id",
            "prm_channel_partner_id",
            "prm_revenue_excluded",
        ],
        "account.move.line": [
            "move_id",
            "display_type",
            "tax_repartition_line_id",
            "balance",
            "quantity",
            "product_id",
            "product_uom_id",
            "company_id",
        ],
        "res.partner": [
            "grade_id",
            "prm_partner_type",
            "prm_state",
            "country_id",
            "prm_channel_manager_id",
        ],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id", "uom_id"],
        "uom.uom": ["factor"],
        "res.company": ["currency_id"],
    }

    @property
    def _table_query(self):
        currency_table = self.env["res.currency"]._get_simple_currency_table(
            self.env.companies
        )
        return SQL(
            """
            SELECT line.id AS id,
                   move.id AS move_id,
                   move.move_type AS move_type,
                   move.invoice_date AS date,
                   move.company_id AS company_id,
                   channel.id AS partner_id,
                   channel.grade_id AS grade_id,
                   channel.prm_partner_type AS partner_type,
                   channel.country_id AS country_id,
                   channel.prm_channel_manager_id AS channel_manager_id,
                   move.commercial_partner_id AS customer_id,
                   line.product_id AS product_id,
                   template.categ_id AS product_categ_id,
                   line.quantity
                       / NULLIF(COALESCE(uom_line.factor, 1)
                                / COALESCE(uom_template.factor, 1), 0.0)
                       * (CASE WHEN move.move_type = 'out_refund'
                               THEN -1 ELSE 1 END) AS quantity,
                   company.currency_id AS company_currency_id,
                   -line.balance AS amount_company,
                   %(currency_id)s AS currency_id,
                   -line.balance * account_currency_table.rate AS amount
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner channel
                ON channel.id = COALESCE(move.prm_channel_partner_id,
                                         move.commercial_partner_id)
              JOIN res_company company ON company.id = move.company_id
              JOIN %(currency_table)s
                ON account_currency_table.company_id = line.company_id
         LEFT JOIN product_product product ON product.id = line.product_id
         LEFT JOIN product_template template ON template.id = product.product_tmpl_id
         LEFT JOIN uom_uom uom_line ON uom_line.id = line.product_uom_id
         LEFT JOIN uom_uom uom_template ON uom_template.id = template.uom_id
             WHERE move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.prm_revenue_excluded IS NOT TRUE
               AND line.display_type IN ('product', 'rounding')
               AND line.tax_repartition_line_id IS NULL
               AND (move.prm_channel_partner_id IS NOT NULL
                    OR channel.prm_state IS NOT NULL)
            """,
            currency_id=self.env.company.currency_id.id,
            currency_table=currency_table,
        )
