# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

from ..models.prm_commission_line import LINE_KINDS, LINE_STATES
from ..models.prm_commission_rule import DEAL_ORIGINS


class PrmCommissionReport(models.Model):
    """One row per commission line, in company currency (the currency of the
    statements), with the partner's type and country and the statement."""

    _name = "prm.commission.report"
    _inherit = "prm.report.mixin"
    _description = "Commission Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "name"

    line_id = fields.Many2one("prm.commission.line", string="Line", readonly=True)
    name = fields.Char(string="Description", readonly=True)
    date = fields.Date(readonly=True)
    invoice_date = fields.Date(readonly=True)
    kind = fields.Selection(LINE_KINDS, readonly=True)
    grade_id = fields.Many2one(help="Tier of the partner when the line was created.")
    deal_origin = fields.Selection(DEAL_ORIGINS, readonly=True)
    plan_id = fields.Many2one("prm.commission.plan", string="Plan", readonly=True)
    rule_id = fields.Many2one("prm.commission.rule", string="Rule", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    statement_id = fields.Many2one(
        "prm.commission.statement", string="Statement", readonly=True
    )
    state = fields.Selection(LINE_STATES, readonly=True)
    line_count = fields.Integer(string="Lines", readonly=True)
    amount = fields.Monetary(string="Commission", readonly=True)
    amount_unpaid = fields.Monetary(
        string="Unpaid", readonly=True, help="Commission not paid yet."
    )
    amount_paid = fields.Monetary(string="Paid", readonly=True)

    def _query(self):
        return SQL(
            """
            SELECT l.id AS id,
                   l.id AS line_id,
                   l.name AS name,
                   l.date AS date,
                   l.invoice_date AS invoice_date,
                   l.kind AS kind,
                   l.company_id AS company_id,
                   c.currency_id AS currency_id,
                   l.partner_id AS partner_id,
                   l.grade_id AS grade_id,
                   p.prm_partner_type AS partner_type,
                   p.country_id AS country_id,
                   p.prm_channel_manager_id AS user_id,
                   l.deal_origin AS deal_origin,
                   l.plan_id AS plan_id,
                   l.rule_id AS rule_id,
                   l.product_categ_id AS product_categ_id,
                   l.move_id AS move_id,
                   l.statement_id AS statement_id,
                   l.state AS state,
                   1 AS line_count,
                   l.amount_company AS amount,
                   CASE WHEN l.state = 'paid' THEN 0.0 ELSE l.amount_company END
                       AS amount_unpaid,
                   CASE WHEN l.state = 'paid' THEN l.amount_company ELSE 0.0 END
                       AS amount_paid
              FROM prm_commission_line l
              JOIN res_company c ON c.id = l.company_id
              JOIN res_partner p ON p.id = l.partner_id
            """
        )
