# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import functools
import math
from collections import namedtuple

from odoo import models
from odoo.tools import float_round
from odoo.tools.float_utils import float_invert

from .prm_commission_plan import period_bounds


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

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

    def _prm_commission_margin(self, volume_delta):
        """Margin of the line in company currency: its volume less the cost."""
        self.ensure_one()
        company = self.move_id.company_id
        cost = (
            self.product_id.with_company(company).standard_price
            * self._prm_commission_quantity()
        )
        margin = volume_delta - cost
        return 0.0 if margin * volume_delta < 0 else margin  # no claw-back on a loss


# A product line of a posted invoice, as the entitlement computation reads it.
EntitlementRow = namedtuple(
    "EntitlementRow",
    "id move_id company_id partner_id product_id categ_path day currency_id "
    "company_currency_id fx amount_currency balance",
)
# What the engine reads of a rule and its plan for every line.
RuleTerms = namedtuple(
    "RuleTerms",
    "rule rule_id plan_id rate_type rate fixed_amount rule_cap volume_period plan_cap",
)
# An invoice line with what it is entitled to, as the release reads it.
ReleaseRow = namedtuple(
    "ReleaseRow",
    "id partner_id rule_id label product_id amount amount_company base rate "
    "deal_origin move_id move_name move_type posted day company_id currency_id "
    "company_currency_id trigger",
)


@functools.lru_cache(maxsize=4096)
def period_start(day, period):
    """First day of the volume ``period`` of ``day``."""
    return period_bounds(day, period)[0]


def currency_rounder(rounding):
    """A function rounding amounts like ``res.currency.round`` (half up, same
    results as ``float_round``) without its per-call checks: the engine
    rounds several amounts per invoice line."""
    if not rounding or rounding >= 1:
        return functools.partial(float_round, precision_rounding=rounding)
    inverse = float_invert(rounding)
    copysign, log2 = math.copysign, math.log2

    def round_amount(value):
        if value == 0:
            return 0.0
        normalized = value * inverse
        epsilon = 2 ** (log2(abs(normalized)) - 50)
        return round(normalized + copysign(epsilon, normalized)) / inverse

    return round_amount


def capped(cap, amount):
    """``amount`` limited to ``cap`` (0: no cap)."""
    return cap if cap and amount > cap else amount


def rule_terms(rule, plan):
    """The :class:`RuleTerms` of ``rule`` in ``plan``, read once per rule."""
    return RuleTerms(
        rule,
        rule.id,
        plan.id,
        rule.rate_type,
        rule.rate,
        rule.fixed_amount,
        rule.cap_amount,
        plan.volume_period,
        plan.cap_amount,
    )


def commission_entitlement(line, origin, terms, rule_state, plan_state, rounding):
    """What one invoice line earns under a rule, given the running sums of
    its volume period (updated in place): the values of its
    ``prm.commission.entitlement``.

    ``line`` is an :class:`EntitlementRow`, ``terms`` the rule's
    :class:`RuleTerms`, ``rounding`` maps currency ids to their rounder
    (:func:`currency_rounder`). Percentage rules cost no query; margin and
    fixed-amount rules read the line's quantity and the product's cost.
    """
    rule = terms.rule
    key = (line.company_id, line.partner_id)
    fx = line.fx or 1.0
    base = -line.amount_currency
    volume_delta = -line.balance
    start = period_start(line.day, terms.volume_period)
    state = rule_state[(*key, terms.rule_id, start)]
    volume, raw_sum = state[0], state[1]
    rate_type = terms.rate_type
    if rate_type == "bands":
        before = rule._prm_band_amount(volume)
        after = rule._prm_band_amount(volume + volume_delta)
        raw = after - before
        rate = 100.0 * raw / volume_delta if volume_delta else 0.0
        raw_currency = base * rate / 100.0
    else:
        if rate_type == "percent":
            rate = terms.rate
            raw = volume_delta * rate / 100.0
            raw_currency = base * rate / 100.0
        else:
            aml = rule.env["account.move.line"].browse(line.id)
            if rate_type == "margin":
                margin = aml._prm_commission_margin(volume_delta)
                base = margin * fx
                rate = terms.rate
                raw = margin * rate / 100.0
            else:  # fixed amount per unit
                rate = terms.fixed_amount
                raw = aml._prm_commission_quantity() * terms.fixed_amount
            raw_currency = raw * fx
        before, after = raw_sum, raw_sum + raw
    rule_cap = terms.rule_cap
    rule_amount = capped(rule_cap, after) - capped(rule_cap, before)
    plan_key = (*key, terms.plan_id, start)
    plan_sum = plan_state[plan_key]
    plan_cap = terms.plan_cap
    round_company = rounding[line.company_currency_id]
    round_currency = rounding[line.currency_id]
    amount_company = round_company(
        capped(plan_cap, plan_sum + rule_amount) - capped(plan_cap, plan_sum)
    )
    if raw:
        amount = round_currency(raw_currency * amount_company / raw)
    else:
        amount = round_currency(amount_company * fx)
    state[0] += volume_delta
    state[1] += raw
    state[2] += amount_company
    plan_state[plan_key] += amount_company
    return {
        "invoice_line_id": line.id,
        "company_id": line.company_id,
        "partner_id": line.partner_id,
        "rule_id": terms.rule_id,
        "date": line.day,
        "deal_origin": origin,
        "base": round_currency(base),
        "base_company": round_company(volume_delta),
        "raw_company": raw,
        "rate": rate,
        "amount": amount,
        "amount_company": amount_company,
    }


def commission_line_vals(env, line, key, share, previous, last_line, context):
    """Values of the commission line that brings what ``key`` (an invoice
    line, a partner, a rule) released up to its target; ``None`` when it is
    already there.

    ``line`` is a :class:`ReleaseRow`, ``share`` the released share of the
    entitlement (``None``: nothing is due any more), ``previous`` the sums of
    the lines already created and ``last_line`` the latest of them.
    ``context`` holds ``rounding`` (currency id: rounder), ``grades``
    (partner id: tier id), ``plans`` (rule id: plan id) and ``event_date``.
    """
    _aml_id, partner_id, rule_id = key
    rounding = context["rounding"]
    event_date = context["event_date"]
    round_currency = rounding[line.currency_id]
    round_company = rounding[line.company_currency_id]
    entitled = share is not None and line.rule_id == rule_id
    if entitled:
        target = round_currency(line.amount * share)
        target_company = round_company(line.amount_company * share)
        target_base = round_currency(line.base * share)
    else:
        share, target, target_company, target_base = 0.0, 0.0, 0.0, 0.0
    released, released_company, released_base, _last_id = previous
    delta = round_currency(target - released)
    delta_company = round_company(target_company - released_company)
    if not delta and not delta_company:  # rounded already: zero is zero
        return None
    name = f"{line.move_name}: {line.label}"
    # taking back part of what was released (reset, unpaid, re-attributed)
    reversal = (
        not entitled or (delta_company or delta) * (released_company or released) < 0
    )
    if reversal:
        kind = "reversal"
        name = env._("Reversal of %s", name)
    elif line.move_type == "out_refund":
        kind = "refund"
    else:
        kind = "invoice"
    if entitled and share < 1.0 and not reversal:
        name = env._(
            "%(name)s (%(share)s%% paid)", name=name, share=round(share * 100, 2)
        )
    day = line.day
    if event_date and event_date > day:
        day = event_date
    taken_back = reversal and last_line
    return {
        "name": name,
        "kind": kind,
        "date": day,
        "partner_id": partner_id,
        "grade_id": (
            last_line.grade_id.id if taken_back else context["grades"][partner_id]
        ),
        "company_id": line.company_id,
        "currency_id": line.currency_id,
        "move_id": line.move_id,
        "invoice_line_id": line.id,
        "product_id": line.product_id,
        "deal_origin": last_line.deal_origin if taken_back else line.deal_origin,
        "plan_id": context["plans"][rule_id],
        "rule_id": rule_id,
        "base": round_currency(target_base - released_base),
        "rate": line.rate if entitled else (last_line.rate if last_line else 0.0),
        "paid_share": 100.0 * share,
        "amount": delta,
        "amount_company": delta_company,
        "reversed_line_id": last_line.id if taken_back else None,
    }
