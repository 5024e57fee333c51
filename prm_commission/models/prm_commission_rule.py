# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES

RATE_TYPES = [
    ("percent", "% of Untaxed Amount"),
    ("margin", "% of Margin"),
    ("fixed", "Fixed Amount per Unit"),
    ("bands", "Volume Bands"),
]
DEAL_ORIGINS = [
    ("registered", "Registered Deal"),
    ("distributed", "Lead Distributed by the Vendor"),
    ("resale", "Resale"),
    ("referral", "Referral / Other"),
]


class PrmCommissionRule(models.Model):
    _name = "prm.commission.rule"
    _description = "Commission Rule"
    _order = "plan_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Rules are tried in this order; the first match applies."
    )
    active = fields.Boolean(default=True)
    plan_id = fields.Many2one(
        "prm.commission.plan",
        string="Plan",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="plan_id.company_id", store=True, index=True, string="Company"
    )
    currency_id = fields.Many2one(related="plan_id.currency_id", string="Currency")
    # Filters
    product_ids = fields.Many2many(
        "product.product",
        "prm_commission_rule_product_rel",
        "rule_id",
        "product_id",
        string="Products",
        check_company=True,
        help="Applies to these products only (empty: all products).",
    )
    categ_ids = fields.Many2many(
        "product.category",
        "prm_commission_rule_categ_rel",
        "rule_id",
        "categ_id",
        string="Product Categories",
        help="Applies to products of these categories or their subcategories "
        "(empty: all categories).",
    )
    partner_type = fields.Selection(
        PARTNER_TYPES, help="Applies to partners of this type only (empty: all)."
    )
    deal_origin = fields.Selection(
        DEAL_ORIGINS,
        help="Applies to invoices of deals of this origin only (empty: all).",
    )
    date_from = fields.Date(string="Valid From", help="Invoice date from.")
    date_to = fields.Date(string="Valid Until", help="Invoice date until.")
    # Rate
    rate_type = fields.Selection(
        RATE_TYPES, string="Rate Type", required=True, default="percent"
    )
    rate = fields.Float(string="Rate (%)", digits=(16, 4))
    fixed_amount = fields.Monetary(string="Amount per Unit")
    band_ids = fields.One2many(
        "prm.commission.band", "rule_id", string="Volume Bands", copy=True
    )
    cap_amount = fields.Monetary(
        string="Cap per Period",
        help="Most a partner earns with this rule per volume period of the plan "
        "(0: no cap).",
    )
    rate_display = fields.Char(string="Rate", compute="_compute_rate_display")

    _sql_constraints = [
        (
            "rate_positive",
            "CHECK(rate >= 0 AND fixed_amount >= 0 AND cap_amount >= 0)",
            "Rates, amounts per unit and caps cannot be negative.",
        ),
        (
            "dates_ordered",
            "CHECK(date_from IS NULL OR date_to IS NULL OR date_from <= date_to)",
            "A commission rule cannot end before it starts.",
        ),
    ]

    @api.depends("rate_type", "rate", "fixed_amount", "band_ids")
    def _compute_rate_display(self):
        labels = dict(self._fields["rate_type"]._description_selection(self.env))
        for rule in self:
            if rule.rate_type in ("percent", "margin"):
                rule.rate_display = f"{rule.rate:g} {labels[rule.rate_type]}"
            elif rule.rate_type == "fixed":
                rule.rate_display = self.env._(
                    "%(amount)s per unit",
                    amount=rule.currency_id.format(rule.fixed_amount),
                )
            else:
                rule.rate_display = self.env._(
                    "%(count)s volume bands", count=len(rule.band_ids)
                )

    @api.constrains("rate_type", "rate", "band_ids")
    def _check_rate(self):
        for rule in self:
            if rule.rate_type in ("percent", "margin") and rule.rate > 100:
                raise ValidationError(
                    self.env._("The rate of %s cannot exceed 100%%.", rule.name)
                )
            if rule.rate_type == "bands" and not rule.band_ids:
                raise ValidationError(
                    self.env._("Rule %s needs at least one volume band.", rule.name)
                )
            rule.band_ids._check_no_overlap()

    # ------------------------------------------------------------------
    # Matching and amounts (called by the set-based engine: no queries)
    # ------------------------------------------------------------------

    def _prm_matches(self, product, categ_ids, partner_type, deal_origin, day):
        """Whether this rule applies to an invoice line.

        ``categ_ids`` is the set of the product's category and its ancestors.
        """
        self.ensure_one()
        if self.product_ids and product not in self.product_ids:
            return False
        if self.categ_ids and not categ_ids & set(self.categ_ids.ids):
            return False
        if self.partner_type and self.partner_type != partner_type:
            return False
        if self.deal_origin and self.deal_origin != deal_origin:
            return False
        if self.date_from and (not day or day < self.date_from):
            return False
        if self.date_to and (not day or day > self.date_to):
            return False
        return True

    def _prm_band_amount(self, volume):
        """Commission of a period volume with marginal bands: each slice of the
        volume earns the rate of the band it falls in."""
        self.ensure_one()
        volume = max(volume, 0.0)
        total = 0.0
        for band in self.band_ids:
            upper = band.amount_to or float("inf")
            if volume <= band.amount_from:
                continue
            total += (min(volume, upper) - band.amount_from) * band.rate / 100.0
        return total

    def _prm_capped(self, amount):
        self.ensure_one()
        if self.cap_amount and amount > self.cap_amount:
            return self.cap_amount
        return amount
