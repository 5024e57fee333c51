# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.res_partner import PARTNER_TYPES


class PrmReportMixin(models.AbstractModel):
    """A Partner Program analysis: a database view (``_query``) with the
    dimensions every analysis shares, the partner's company, tier, type,
    country and channel manager."""

    _name = "prm.report.mixin"
    _description = "Partner Program Analysis"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Partner", readonly=True)
    grade_id = fields.Many2one("res.partner.grade", string="Tier", readonly=True)
    partner_type = fields.Selection(PARTNER_TYPES, string="Partner Type", readonly=True)
    country_id = fields.Many2one("res.country", string="Partner Country", readonly=True)
    user_id = fields.Many2one("res.users", string="Channel Manager", readonly=True)

    def _query(self):
        """The ``SELECT`` of the view (an ``SQL``)."""
        raise NotImplementedError

    def _prm_partner_columns(self, alias):
        """Tier, type and country of the partner rows named ``alias``."""
        partner = SQL.identifier(alias)
        return SQL(
            "%(p)s.grade_id AS grade_id, %(p)s.prm_partner_type AS partner_type, "
            "%(p)s.country_id AS country_id",
            p=partner,
        )

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
