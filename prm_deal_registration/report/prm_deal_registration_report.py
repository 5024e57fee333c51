# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

from ..models.prm_deal_registration import DECIDED_STATES, OPEN_STATES, STATES


class PrmDealRegistrationReport(models.Model):
    """One row per deal registration, with the partner's tier, type and
    country, amounts in company currency and the flags the win rate and the
    decision time average over."""

    _name = "prm.deal.registration.report"
    _inherit = "prm.report.mixin"
    _description = "Deal Registration Analysis"
    _auto = False
    _order = "date_submitted desc, id desc"
    _rec_name = "name"

    registration_id = fields.Many2one(
        "prm.deal.registration", string="Registration", readonly=True
    )
    name = fields.Char(string="Reference", readonly=True)
    customer_name = fields.Char(string="Customer", readonly=True)
    customer_country_id = fields.Many2one(
        "res.country", string="Customer Country", readonly=True
    )
    state = fields.Selection(STATES, string="Status", readonly=True)
    date_created = fields.Datetime(string="Created On", readonly=True)
    date_submitted = fields.Datetime(string="Submitted On", readonly=True)
    date_decided = fields.Datetime(string="Decided On", readonly=True)
    date_approved = fields.Datetime(string="Approved On", readonly=True)
    date_expected_close = fields.Date(string="Expected Closing", readonly=True)
    expected_revenue = fields.Monetary(
        string="Expected Revenue",
        readonly=True,
        help="In company currency, at the rate of the submission date.",
    )
    registration_count = fields.Integer(string="Registrations", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    closed_count = fields.Integer(
        string="Closed", readonly=True, help="Won or lost registrations."
    )
    win_rate = fields.Float(
        string="Win Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Won registrations among the won and lost ones (100 for a won "
        "registration, 0 for a lost one, empty otherwise: the average is the "
        "win rate).",
    )
    decision_hours = fields.Float(
        string="Hours to Decision",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average time from the submission to the approval or rejection, "
        "over the decided registrations.",
    )
    decision_days = fields.Float(
        string="Days to Decision",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average time from the submission to the approval or rejection, "
        "over the decided registrations.",
    )

    def _query(self):
        return SQL(
            """
            SELECT r.id AS id,
                   r.id AS registration_id,
                   r.name AS name,
                   r.customer_name AS customer_name,
                   r.company_id AS company_id,
                   c.currency_id AS currency_id,
                   r.partner_id AS partner_id,
                   %(partner_columns)s,
                   r.customer_country_id AS customer_country_id,
                   r.user_id AS user_id,
                   r.state AS state,
                   r.create_date AS date_created,
                   r.date_submitted AS date_submitted,
                   r.date_decided AS date_decided,
                   r.date_approved AS date_approved,
                   r.date_expected_close AS date_expected_close,
                   COALESCE(r.expected_revenue_company, 0.0) AS expected_revenue,
                   1 AS registration_count,
                   CASE WHEN r.state IN %(open)s THEN 1 ELSE 0 END AS open_count,
                   CASE WHEN r.state = 'won' THEN 1 ELSE 0 END AS won_count,
                   CASE WHEN r.state = 'lost' THEN 1 ELSE 0 END AS lost_count,
                   CASE WHEN r.state IN ('won', 'lost') THEN 1 ELSE 0 END
                       AS closed_count,
                   CASE WHEN r.state = 'won' THEN 100.0
                        WHEN r.state = 'lost' THEN 0.0
                   END AS win_rate,
                   CASE WHEN r.state IN %(decided)s
                             AND r.date_decided >= r.date_submitted
                        THEN r.decision_hours
                   END AS decision_hours,
                   CASE WHEN r.state IN %(decided)s
                             AND r.date_decided >= r.date_submitted
                        THEN r.decision_days
                   END AS decision_days
              FROM prm_deal_registration r
              JOIN res_company c ON c.id = r.company_id
              JOIN res_partner p ON p.id = r.partner_id
            """,
            open=OPEN_STATES,
            decided=DECIDED_STATES,
            partner_columns=self._prm_partner_columns("p"),
        )
