# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.tools import float_compare


class ResPartnerGrade(models.Model):
    """A program tier is an Odoo partner level, extended with benefits and
    requirements."""

    _inherit = "res.partner.grade"

    prm_rank = fields.Integer(
        string="Rank",
        default=lambda self: self._prm_default_rank(),
        help="Position of the tier in the program: the higher, the better.",
    )
    color = fields.Integer(string="Color")
    company_currency_id = fields.Many2one(
        "res.currency", compute="_compute_company_currency_id"
    )
    # Benefits
    prm_benefits = fields.Html(
        string="Benefits", translate=True, help="Benefits as shown to partners."
    )
    prm_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        help="Pricelist given to partners when they reach this tier.",
    )
    prm_protection_days = fields.Integer(
        string="Deal Protection (days)",
        default=90,
        help="How long a registered deal of a partner of this tier is protected.",
    )
    prm_auto_approve = fields.Boolean(
        string="Auto-approve Deal Registrations",
        help="Registrations without conflict are approved without review.",
    )
    prm_mdf_amount = fields.Monetary(
        string="MDF Allocation per Period",
        currency_field="company_currency_id",
        help="Market development funds allocated per fund period to each partner "
        "of this tier.",
    )
    # Requirements
    prm_min_revenue = fields.Monetary(
        string="Min. Attributed Revenue (12 months)",
        currency_field="company_currency_id",
        help="Untaxed revenue of posted customer invoices attributed to the "
        "partner over the last 12 months, in company currency.",
    )
    prm_min_won_deals = fields.Integer(
        string="Min. Won Deals (12 months)",
        help="Opportunities of the partner won over the last 12 months.",
    )
    prm_grace_days = fields.Integer(
        string="Downgrade Grace Period (days)",
        default=90,
        help="How long a partner keeps this tier after it stops meeting its "
        "requirements.",
    )
    prm_partner_count = fields.Integer(
        string="Partners", compute="_compute_prm_partner_count"
    )

    _sql_constraints = [
        (
            "prm_days_positive",
            "CHECK(prm_grace_days >= 0 AND prm_protection_days >= 0)",
            "Grace period and deal protection cannot be negative.",
        ),
        (
            "prm_requirements_positive",
            "CHECK(prm_min_revenue >= 0 AND prm_min_won_deals >= 0)",
            "Tier requirements cannot be negative.",
        ),
    ]

    def _prm_default_rank(self):
        top = self.with_context(active_test=False).search(
            [], order="prm_rank desc", limit=1
        )
        return top.prm_rank + 10

    @api.depends_context("company")
    def _compute_company_currency_id(self):
        self.company_currency_id = self.env.company.currency_id

    def _compute_prm_partner_count(self):
        data = dict(
            self.env["res.partner"]._read_group(
                [("grade_id", "in", self.ids), ("prm_state", "!=", False)],
                ["grade_id"],
                ["__count"],
            )
        )
        for grade in self:
            grade.prm_partner_count = data.get(grade, 0)

    @api.model
    def _prm_entry_tier(self):
        """The tier new members start in: the lowest-ranked one."""
        return self.search([], order="prm_rank, sequence desc", limit=1)

    def _prm_requirements(self):
        """Requirements a partner must meet to hold this tier.

        Returns a list of dicts with ``key`` (a KPI key of
        ``res.partner._prm_compute_kpis``), ``label``, ``target`` and
        ``monetary``. Extension hook: addons that add KPIs append their own
        requirements (for example valid certifications).
        """
        self.ensure_one()
        requirements = []
        if self.prm_min_revenue:
            requirements.append(
                {
                    "key": "revenue_12m",
                    "label": _("Attributed revenue, last 12 months"),
                    "target": self.prm_min_revenue,
                    "monetary": True,
                }
            )
        if self.prm_min_won_deals:
            requirements.append(
                {
                    "key": "won_count",
                    "label": _("Won deals, last 12 months"),
                    "target": self.prm_min_won_deals,
                    "monetary": False,
                }
            )
        return requirements

    def _prm_requirements_met(self, kpis, requirements):
        currency = self.env.company.currency_id
        for requirement in requirements:
            value = kpis.get(requirement["key"], 0.0)
            if requirement.get("monetary"):
                if (
                    float_compare(
                        value,
                        requirement["target"],
                        precision_rounding=currency.rounding,
                    )
                    < 0
                ):
                    return False
            elif value < requirement["target"]:
                return False
        return True

    def action_prm_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_base.prm_partner_action"
        )
        action["domain"] = [("grade_id", "=", self.id)]
        action["context"] = {}
        return action
