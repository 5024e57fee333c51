# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.prm_base.tools import update_rows

from .prm_commission_plan import period_bounds
from .prm_commission_rule import DEAL_ORIGINS

# Columns of the commission an invoice line earns once fully released; written
# set-based by ``_prm_commission_store`` when the invoice is posted.
ENTITLEMENT_FIELDS = (
    "prm_commission_partner_id",
    "prm_commission_rule_id",
    "prm_commission_deal_origin",
    "prm_commission_base",
    "prm_commission_base_company",
    "prm_commission_raw_company",
    "prm_commission_rate",
    "prm_commission_amount",
    "prm_commission_amount_company",
)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    prm_commission_partner_id = fields.Many2one(
        "res.partner", string="Commission Partner", readonly=True, copy=False
    )
    prm_commission_rule_id = fields.Many2one(
        "prm.commission.rule",
        string="Commission Rule",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    prm_commission_deal_origin = fields.Selection(
        DEAL_ORIGINS, string="Deal Origin", readonly=True, copy=False
    )
    prm_commission_base = fields.Monetary(
        string="Commission Base", readonly=True, copy=False
    )
    prm_commission_base_company = fields.Monetary(
        string="Commission Base (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="Untaxed amount counted in the partner's volume for bands.",
    )
    prm_commission_raw_company = fields.Monetary(
        string="Commission before Caps",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
    )
    prm_commission_rate = fields.Float(
        string="Commission Rate", digits=(16, 4), readonly=True, copy=False
    )
    prm_commission_amount = fields.Monetary(
        string="Commission Earned", readonly=True, copy=False
    )
    prm_commission_amount_company = fields.Monetary(
        string="Commission Earned (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
    )

    def _prm_commission_store(self, values):
        """Write the entitlements ``{aml_id: {field: value}}`` in one statement."""
        update_rows(
            self.env["account.move.line"],
            {
                aml_id: {name: vals[name] for name in ENTITLEMENT_FIELDS}
                for aml_id, vals in values.items()
            },
        )

    def _prm_commission_clear(self):
        """Forget the entitlements of these lines (invoice back to draft)."""
        if not self.ids:
            return
        self.flush_model(ENTITLEMENT_FIELDS)
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move_line
                   SET prm_commission_partner_id = NULL,
                       prm_commission_rule_id = NULL,
                       prm_commission_deal_origin = NULL,
                       prm_commission_base = NULL,
                       prm_commission_base_company = NULL,
                       prm_commission_raw_company = NULL,
                       prm_commission_rate = NULL,
                       prm_commission_amount = NULL,
                       prm_commission_amount_company = NULL
                 WHERE id IN %s AND prm_commission_rule_id IS NOT NULL
                """,
                tuple(self.ids),
            )
        )
        self.invalidate_model(ENTITLEMENT_FIELDS)

    # ------------------------------------------------------------------
    # Engine helpers (no queries: everything is prefetched by the caller)
    # ------------------------------------------------------------------

    def _prm_commission_quantity(self):
        """Quantity in the product's unit of measure, signed like the line."""
        self.ensure_one()
        quantity = self.quantity
        product = self.product_id
        if product and self.product_uom_id and self.product_uom_id != product.uom_id:
            quantity = self.product_uom_id._compute_quantity(quantity, product.uom_id)
        return -quantity if self.move_id.move_type == "out_refund" else quantity

    def _prm_commission_entitlement(
        self, plan, rule, partner, origin, rule_state, plan_state
    ):
        """What this invoice line earns under ``rule``, given the running sums
        of its volume period (updated in place)."""
        self.ensure_one()
        move = self.move_id
        company = move.company_id
        company_currency = move.company_currency_id
        currency = move.currency_id
        fx = move.invoice_currency_rate or 1.0
        base = -self.amount_currency
        volume_delta = -self.balance
        start = period_bounds(move.invoice_date or move.date, plan.volume_period)[0]
        state = rule_state[(company, partner, rule, start)]
        volume, raw_sum = state[0], state[1]
        if rule.rate_type == "bands":
            before = rule._prm_band_amount(volume)
            after = rule._prm_band_amount(volume + volume_delta)
            raw = after - before
            rate = 100.0 * raw / volume_delta if volume_delta else 0.0
            raw_currency = base * rate / 100.0
        else:
            if rule.rate_type == "percent":
                rate = rule.rate
                raw = volume_delta * rate / 100.0
                raw_currency = base * rate / 100.0
            elif rule.rate_type == "margin":
                cost = (
                    self.product_id.with_company(company).standard_price
                    * self._prm_commission_quantity()
                )
                margin = volume_delta - cost
                if margin * volume_delta < 0:
                    margin = 0.0  # no commission taken back on a loss
                base = margin * fx
                rate = rule.rate
                raw = margin * rate / 100.0
                raw_currency = raw * fx
            else:  # fixed amount per unit
                rate = rule.fixed_amount
                raw = self._prm_commission_quantity() * rule.fixed_amount
                raw_currency = raw * fx
            before, after = raw_sum, raw_sum + raw
        rule_amount = rule._prm_capped(after) - rule._prm_capped(before)
        plan_key = (company, partner, plan, start)
        plan_sum = plan_state[plan_key]
        amount_company = company_currency.round(
            plan._prm_capped(plan_sum + rule_amount) - plan._prm_capped(plan_sum)
        )
        if raw:
            amount = currency.round(raw_currency * amount_company / raw)
        else:
            amount = currency.round(amount_company * fx)
        state[0] += volume_delta
        state[1] += raw
        state[2] += amount_company
        plan_state[plan_key] += amount_company
        return {
            "prm_commission_partner_id": partner.id,
            "prm_commission_rule_id": rule.id,
            "prm_commission_deal_origin": origin,
            "prm_commission_base": currency.round(base),
            "prm_commission_base_company": company_currency.round(volume_delta),
            "prm_commission_raw_company": raw,
            "prm_commission_rate": rate,
            "prm_commission_amount": amount,
            "prm_commission_amount_company": amount_company,
        }

    def _prm_commission_line_vals(self, key, share, previous, last_line, event_date):
        """Values of the line that brings what ``key`` (this line, a partner, a
        rule) released up to its target; ``None`` when it is already there.

        ``share`` is the released share of the entitlement (``None``: nothing
        is due any more), ``previous`` the sums of the lines already created.
        """
        self.ensure_one()
        move = self.move_id
        currency = move.currency_id
        company_currency = move.company_currency_id
        _aml_id, partner_id, rule_id = key
        entitled = share is not None and self.prm_commission_rule_id.id == rule_id
        if entitled:
            target = currency.round(self.prm_commission_amount * share)
            target_company = company_currency.round(
                self.prm_commission_amount_company * share
            )
            target_base = currency.round(self.prm_commission_base * share)
        else:
            share, target, target_company, target_base = 0.0, 0.0, 0.0, 0.0
        released, released_company, released_base, _last_id = previous
        delta = currency.round(target - released)
        delta_company = company_currency.round(target_company - released_company)
        if currency.is_zero(delta) and company_currency.is_zero(delta_company):
            return None
        label = (self.name or self.product_id.display_name or "").split("\n")[0]
        name = f"{move.name}: {label}"
        # taking back part of what was released (reset, unpaid, re-attributed)
        reversal = (
            not entitled
            or (delta_company or delta) * (released_company or released) < 0
        )
        if reversal:
            kind = "reversal"
            name = self.env._("Reversal of %s", name)
        elif move.move_type == "out_refund":
            kind = "refund"
        else:
            kind = "invoice"
        if entitled and share < 1.0 and not reversal:
            name = self.env._(
                "%(name)s (%(share)s%% paid)", name=name, share=round(share * 100, 2)
            )
        day = move.invoice_date or move.date
        if event_date and event_date > day:
            day = event_date
        rule = self.env["prm.commission.rule"].browse(rule_id)
        partner = self.env["res.partner"].browse(partner_id)
        return {
            "name": name,
            "kind": kind,
            "date": day,
            "partner_id": partner_id,
            "grade_id": (
                last_line.grade_id if reversal and last_line else partner.grade_id
            ).id,
            "company_id": move.company_id.id,
            "currency_id": currency.id,
            "move_id": move.id,
            "invoice_line_id": self.id,
            "product_id": self.product_id.id,
            "deal_origin": (
                last_line.deal_origin
                if reversal and last_line
                else self.prm_commission_deal_origin
            ),
            "plan_id": rule.plan_id.id,
            "rule_id": rule_id,
            "base": currency.round(target_base - released_base),
            "rate": self.prm_commission_rate
            if entitled
            else (last_line.rate if last_line else 0.0),
            "paid_share": 100.0 * share,
            "amount": delta,
            "amount_company": delta_company,
            "reversed_line_id": last_line.id if reversal and last_line else False,
        }
