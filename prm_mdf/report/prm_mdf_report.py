# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..models.prm_mdf_request import ACTIVITY_TYPES, REQUEST_STATES

# Request states whose approved amount is spend the company committed to.
APPROVED_STATES = ("approved", "claimed", "paid")


class PrmMdfReport(models.Model):
    """One row per fund request: its spend (approved, claimed, paid) and the
    revenue attributed to its campaign, in company currency, with the
    partner's tier, type and country."""

    _name = "prm.mdf.report"
    _inherit = "prm.report.mixin"
    _description = "Market Development Funds Analysis"
    _auto = False
    _order = "date_request desc, id desc"
    _rec_name = "name"

    request_id = fields.Many2one("prm.mdf.request", string="Request", readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    title = fields.Char(string="Activity", readonly=True)
    activity_type = fields.Selection(
        ACTIVITY_TYPES, string="Activity Type", readonly=True
    )
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    period_id = fields.Many2one("prm.mdf.period", string="Fund Period", readonly=True)
    state = fields.Selection(REQUEST_STATES, string="Status", readonly=True)
    date_request = fields.Date(string="Request Date", readonly=True)
    date_start = fields.Date(string="Activity Start", readonly=True)
    request_count = fields.Integer(string="Requests", readonly=True)
    amount_requested = fields.Monetary(string="Requested", readonly=True)
    amount_approved = fields.Monetary(string="Approved", readonly=True)
    amount_claimed = fields.Monetary(
        string="Claimed", readonly=True, help="Claims submitted or approved, not paid."
    )
    amount_paid = fields.Monetary(string="Paid", readonly=True)
    roi_revenue = fields.Monetary(
        string="Attributed Revenue",
        readonly=True,
        help="Untaxed revenue of the posted customer invoices of the request's "
        "campaign in the request's company, shared equally between the "
        "requests of that campaign.",
    )
    roi_ratio = fields.Float(
        string="Revenue per Spend",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Attributed revenue divided by the paid spend (of the group in the "
        "pivot and graph views).",
    )

    def _query(self):
        return SQL(
            """
            WITH campaign_revenue AS (
                SELECT m.campaign_id,
                       m.company_id,
                       SUM(m.amount_untaxed_signed) AS revenue
                  FROM account_move m
                 WHERE m.campaign_id IS NOT NULL
                   AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
              GROUP BY m.campaign_id, m.company_id
            ), campaign_requests AS (
                SELECT campaign_id, company_id, COUNT(*) AS request_count
                  FROM prm_mdf_request
                 WHERE campaign_id IS NOT NULL
              GROUP BY campaign_id, company_id
            ), claims AS (
                SELECT request_id,
                       SUM(CASE WHEN state IN ('submitted', 'approved')
                                THEN amount_company ELSE 0.0 END) AS claimed,
                       SUM(CASE WHEN state = 'paid'
                                THEN amount_company ELSE 0.0 END) AS paid
                  FROM prm_mdf_claim
              GROUP BY request_id
            )
            SELECT r.id AS id,
                   r.id AS request_id,
                   r.name AS name,
                   r.title AS title,
                   r.activity_type AS activity_type,
                   r.campaign_id AS campaign_id,
                   r.company_id AS company_id,
                   c.currency_id AS currency_id,
                   r.partner_id AS partner_id,
                   %(partner_columns)s,
                   r.user_id AS user_id,
                   r.period_id AS period_id,
                   r.state AS state,
                   r.date_request AS date_request,
                   r.date_start AS date_start,
                   1 AS request_count,
                   COALESCE(r.amount_requested_company, 0.0) AS amount_requested,
                   CASE WHEN r.state IN %(approved)s
                        THEN COALESCE(r.amount_approved_company, 0.0)
                        ELSE 0.0
                   END AS amount_approved,
                   COALESCE(cl.claimed, 0.0) AS amount_claimed,
                   COALESCE(cl.paid, 0.0) AS amount_paid,
                   COALESCE(rev.revenue / cr.request_count, 0.0) AS roi_revenue,
                   CASE WHEN COALESCE(cl.paid, 0.0) > 0
                        THEN COALESCE(rev.revenue / cr.request_count, 0.0) / cl.paid
                   END AS roi_ratio
              FROM prm_mdf_request r
              JOIN res_company c ON c.id = r.company_id
              JOIN res_partner p ON p.id = r.partner_id
         LEFT JOIN claims cl ON cl.request_id = r.id
         LEFT JOIN campaign_revenue rev
                ON rev.campaign_id = r.campaign_id AND rev.company_id = r.company_id
         LEFT JOIN campaign_requests cr
                ON cr.campaign_id = r.campaign_id AND cr.company_id = r.company_id
            """,
            approved=APPROVED_STATES,
            partner_columns=self._prm_partner_columns("p"),
        )

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        """The revenue per spend of a group is its revenue divided by its paid
        spend, not the average of the requests' ratios."""
        names = {spec.split(":")[0] for spec in fields}
        ratio = "roi_ratio" in names
        if ratio:
            fields = list(fields) + [
                f"{name}:sum"
                for name in ("roi_revenue", "amount_paid")
                if name not in names
            ]
        groups = super().read_group(
            domain,
            fields,
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )
        if ratio:
            for group in groups:
                paid = group.get("amount_paid") or 0.0
                group["roi_ratio"] = (
                    round((group.get("roi_revenue") or 0.0) / paid, 2)
                    if paid > 0
                    else 0.0
                )
        return groups
