# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import date_utils


class PrmCommissionPreview(models.TransientModel):
    """What the next statement of a partner would contain, without creating it."""

    _name = "prm.commission.preview"
    _description = "Commission Statement Preview"

    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        domain=[("prm_state", "!=", False)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(
        string="Up To",
        required=True,
        compute="_compute_date_to",
        store=True,
        readonly=False,
        precompute=True,
        help="The statement takes the lines not yet in a statement dated up to "
        "this day.",
    )
    line_ids = fields.Many2many(
        "prm.commission.line", string="Lines", compute="_compute_line_ids"
    )
    line_count = fields.Integer(compute="_compute_line_ids")
    amount_total = fields.Monetary(string="Total", compute="_compute_line_ids")
    dispute_count = fields.Integer(string="Open Disputes", compute="_compute_line_ids")

    @api.depends("partner_id")
    def _compute_date_to(self):
        today = fields.Date.context_today(self)
        for preview in self:
            period = (
                preview.partner_id
                and preview.partner_id._prm_commission_plan().statement_period
            ) or "month"
            preview.date_to = date_utils.end_of(today, period)

    @api.depends("partner_id", "company_id", "date_to")
    def _compute_line_ids(self):
        Statement = self.env["prm.commission.statement"]
        Line = self.env["prm.commission.line"]
        for preview in self:
            lines = Line.browse()
            if preview.partner_id and preview.date_to:
                lines = Line.search(
                    Statement._prm_statement_line_domain(
                        preview.date_to,
                        preview.partner_id,
                        preview.company_id or self.env.company,
                    )
                )
            preview.line_ids = lines
            preview.line_count = len(lines)
            currency = preview.currency_id or self.env.company.currency_id
            preview.amount_total = currency.round(sum(lines.mapped("amount_company")))
            preview.dispute_count = len(
                lines.filtered(lambda line: line.dispute_state == "open")
            )

    def action_generate(self):
        """Create the statement now (draft) with the previewed lines."""
        self.ensure_one()
        self.env["prm.commission.statement"]._prm_check_manager()
        statements = self.env["prm.commission.statement"]._prm_generate_statements(
            self.date_to, self.partner_id, self.company_id
        )
        return statements._get_records_action(name=self.env._("Commission Statements"))
