# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Commission entitlements move from columns of the invoice lines to the
table of ``prm.commission.entitlement``. The columns are still there when
this runs (Odoo drops the columns of removed fields afterwards)."""

from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "account_move_line", "prm_commission_rule_id"):
        return
    cr.execute(
        """
        INSERT INTO prm_commission_entitlement (
            invoice_line_id, company_id, partner_id, rule_id, date, deal_origin,
            base, base_company, raw_company, rate, amount, amount_company)
        SELECT l.id, m.company_id, l.prm_commission_partner_id,
               l.prm_commission_rule_id, COALESCE(m.invoice_date, m.date),
               l.prm_commission_deal_origin, l.prm_commission_base,
               l.prm_commission_base_company, l.prm_commission_raw_company,
               l.prm_commission_rate, l.prm_commission_amount,
               l.prm_commission_amount_company
          FROM account_move_line l
          JOIN account_move m ON m.id = l.move_id
         WHERE l.prm_commission_rule_id IS NOT NULL
           AND l.prm_commission_partner_id IS NOT NULL
           AND m.state = 'posted'
        ON CONFLICT (invoice_line_id) DO NOTHING
        """
    )
