# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, clean_context, float_compare
from odoo.tools.mail import generate_tracking_message_id

from ..tools import insert_rows, update_rows

PARTNER_TYPES = [
    ("reseller", "Reseller"),
    ("distributor", "Distributor"),
    ("var", "Value-Added Reseller"),
    ("msp", "Managed Service Provider"),
    ("referral", "Referral / Affiliate"),
    ("technology", "Technology Partner"),
    ("integrator", "System Integrator"),
]

PROGRAM_STATES = [
    ("applicant", "Applicant"),
    ("onboarding", "Onboarding"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]

# Allowed program state transitions; ``False`` means "not in the program".
STATE_TRANSITIONS = {
    False: {"applicant", "onboarding", "active"},
    "applicant": {"onboarding", "terminated"},
    "onboarding": {"active", "suspended", "terminated"},
    "active": {"suspended", "terminated"},
    "suspended": {"active", "terminated"},
    "terminated": {"applicant"},
}

# Members whose tier is evaluated; suspended partners keep their tier frozen.
EVALUATED_STATES = ("onboarding", "active")
# Members whose purchases count as resale (the partner is the invoiced customer).
RESALE_STATES = ("onboarding", "active", "suspended")

# Program data only the channel team may change (the tier override is reserved
# to PRM administrators, see ``_prm_check_program_write``).
PROGRAM_FIELDS = {
    "prm_partner_type",
    "prm_state",
    "prm_channel_manager_id",
    "prm_territory_country_ids",
    "prm_territory_state_ids",
    "prm_specialization_ids",
}
OVERRIDE_FIELDS = {
    "prm_tier_override_id",
    "prm_tier_override_reason",
    "prm_tier_override_until",
}


def _sets_something(value):
    """Whether a value of ``create`` sets something: not empty, and for a
    many2many not only commands that link nothing (``Command.set([])``)."""
    if not value:
        return False
    if isinstance(value, list) and all(
        isinstance(command, (list, tuple))
        and command
        and (
            command[0] == Command.CLEAR
            or (command[0] == Command.SET and len(command) > 2 and not command[2])
        )
        for command in value
    ):
        return False
    return True


PENDING_CLEAR_VALS = {"prm_downgrade_since": False, "prm_downgrade_grade_id": False}
OVERRIDE_CLEAR_VALS = dict.fromkeys(sorted(OVERRIDE_FIELDS), False)
# Partner fields the tier evaluation reads and writes
TIER_READ_FIELDS = [
    "prm_state",
    "company_id",
    "grade_id",
    "grade_sequence",
    "partner_weight",
    "prm_downgrade_since",
    "prm_downgrade_grade_id",
    "prm_tier_override_id",
    "prm_tier_override_reason",
    "prm_tier_override_until",
]

KPI_KEYS = (
    "revenue_12m",
    "won_count",
    "lost_count",
    "won_amount",
    "pipeline_value",
    "win_rate",
    "avg_deal_size",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Program data is not copied: a duplicated company is no member, and
    # whoever duplicates it needs no partner program rights.
    prm_partner_type = fields.Selection(
        PARTNER_TYPES, string="Partner Type", tracking=True, index=True, copy=False
    )
    prm_state = fields.Selection(
        PROGRAM_STATES,
        string="Program State",
        tracking=True,
        index=True,
        copy=False,
        help="Where the partner stands in the channel program. Empty when the "
        "contact is not a program member.",
    )
    prm_channel_manager_id = fields.Many2one(
        "res.users",
        string="Channel Manager",
        tracking=True,
        index="btree_not_null",
        domain=[("share", "=", False)],
        copy=False,
    )
    prm_territory_country_ids = fields.Many2many(
        "res.country",
        "prm_partner_territory_country_rel",
        "partner_id",
        "country_id",
        string="Territory Countries",
        copy=False,
    )
    prm_territory_state_ids = fields.Many2many(
        "res.country.state",
        "prm_partner_territory_state_rel",
        "partner_id",
        "state_id",
        string="Territory States",
        copy=False,
    )
    prm_specialization_ids = fields.Many2many(
        "prm.specialization",
        "prm_partner_specialization_rel",
        "partner_id",
        "specialization_id",
        string="Specializations",
        copy=False,
    )
    prm_agreement_ids = fields.One2many(
        "prm.agreement", "partner_id", string="Agreements"
    )
    prm_agreement_count = fields.Integer(compute="_compute_prm_agreement_count")
    prm_onboarding_task_ids = fields.One2many(
        "prm.onboarding.task", "partner_id", string="Onboarding Checklist"
    )
    prm_onboarding_progress = fields.Float(
        string="Onboarding Progress",
        compute="_compute_prm_onboarding_progress",
        store=True,
        help="Share of the onboarding checklist that is done, in percent.",
    )
    prm_tier_history_ids = fields.One2many(
        "prm.tier.history", "partner_id", string="Tier History"
    )
    prm_tier_rank = fields.Integer(related="grade_id.prm_rank", string="Tier Rank")
    # Manual override
    prm_tier_override_id = fields.Many2one(
        "res.partner.grade", string="Tier Override", tracking=True, copy=False
    )
    prm_tier_override_reason = fields.Char(
        string="Override Reason", tracking=True, copy=False
    )
    prm_tier_override_until = fields.Date(
        string="Override Until", tracking=True, copy=False
    )
    # Downgrade grace period
    prm_downgrade_since = fields.Date(
        string="Below Tier Since",
        readonly=True,
        copy=False,
        help="First evaluation at which the partner no longer met its tier.",
    )
    prm_downgrade_grade_id = fields.Many2one(
        "res.partner.grade", string="Pending Tier", readonly=True, copy=False
    )
    prm_downgrade_date = fields.Date(
        string="Downgrade On",
        compute="_compute_prm_downgrade_date",
        help="Date the pending downgrade applies if requirements stay unmet.",
    )
    # KPIs, refreshed set-based by the tier evaluation
    prm_kpi_currency_id = fields.Many2one(
        "res.currency",
        string="KPI Currency",
        readonly=True,
        default=lambda self: self.env.company.currency_id,
    )
    prm_revenue_12m = fields.Monetary(
        string="Attributed Revenue (12m)",
        currency_field="prm_kpi_currency_id",
        readonly=True,
        copy=False,
    )
    prm_won_count = fields.Integer(string="Won Deals (12m)", readonly=True, copy=False)
    prm_lost_count = fields.Integer(
        string="Lost Deals (12m)", readonly=True, copy=False
    )
    prm_pipeline_value = fields.Monetary(
        string="Open Pipeline",
        currency_field="prm_kpi_currency_id",
        readonly=True,
        copy=False,
    )
    prm_win_rate = fields.Float(string="Win Rate (%)", readonly=True, copy=False)
    prm_avg_deal_size = fields.Monetary(
        string="Average Deal Size",
        currency_field="prm_kpi_currency_id",
        readonly=True,
        copy=False,
    )
    prm_kpi_date = fields.Datetime(string="KPIs Updated On", readonly=True, copy=False)
    # Scorecard: live figures, computed set-based for the whole recordset
    prm_score_currency_id = fields.Many2one(
        "res.currency",
        string="Scorecard Currency",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_revenue_12m = fields.Monetary(
        string="Revenue, Last 12 Months",
        currency_field="prm_score_currency_id",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_revenue_prev_12m = fields.Monetary(
        string="Revenue, Previous 12 Months",
        currency_field="prm_score_currency_id",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_revenue_trend = fields.Float(
        string="Revenue Trend (%)",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
        help="Change of the attributed revenue of the last 12 months against the "
        "12 months before; zero when there was no revenue before.",
    )
    prm_score_pipeline_value = fields.Monetary(
        string="Pipeline",
        currency_field="prm_score_currency_id",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_won_count = fields.Integer(
        string="Deals Won, Last 12 Months",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_win_rate = fields.Float(
        string="Win Rate, Last 12 Months (%)",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_avg_deal_size = fields.Monetary(
        string="Average Won Deal",
        currency_field="prm_score_currency_id",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_grade_id = fields.Many2one(
        related="grade_id", string="Current Tier", groups="prm_base.group_prm_user"
    )
    prm_score_next_grade_id = fields.Many2one(
        "res.partner.grade",
        string="Next Tier",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )
    prm_score_tier_progress = fields.Float(
        string="Progress to Next Tier (%)",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
        help="Average progress over the requirements of the next tier.",
    )
    prm_score_days_since_join = fields.Integer(
        string="Days in the Program",
        compute="_compute_prm_scorecard",
        groups="prm_base.group_prm_user",
    )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends_context("company")
    def _compute_prm_scorecard(self):
        """Scorecard figures of program members, in their KPI currency.

        A constant number of queries whatever the number of partners: the
        KPIs of all partners at once, one more revenue query for the previous
        12 months and one search of the tiers.
        """
        members = self.filtered(lambda p: p.prm_state and isinstance(p.id, int))
        today = fields.Date.context_today(self)
        kpis = members.sudo()._prm_compute_kpis() if members else {}
        currencies = members._prm_kpi_currencies()
        date_from = self._prm_kpi_period_start()
        previous = self._prm_convert_amounts(
            members._prm_revenue_rows(
                date_from - relativedelta(years=1), date_from - timedelta(days=1)
            ),
            self.env.company.currency_id,
            today,
            currencies,
        )
        grades = self.env["res.partner.grade"].search([], order="prm_rank, sequence")
        requirements = {}
        for partner in self:
            values = kpis.get(partner.id)
            if values is None:
                partner.update(
                    {
                        "prm_score_currency_id": self.env.company.currency_id,
                        "prm_score_revenue_12m": 0.0,
                        "prm_score_revenue_prev_12m": 0.0,
                        "prm_score_revenue_trend": 0.0,
                        "prm_score_pipeline_value": 0.0,
                        "prm_score_won_count": 0,
                        "prm_score_win_rate": 0.0,
                        "prm_score_avg_deal_size": 0.0,
                        "prm_score_next_grade_id": False,
                        "prm_score_tier_progress": 0.0,
                        "prm_score_days_since_join": 0,
                    }
                )
                continue
            currency = currencies[partner.id]
            revenue = values["revenue_12m"]
            before = currency.round(previous.get(partner.id, 0.0))
            next_grade = next(
                (g for g in grades if g.prm_rank > partner.grade_id.prm_rank),
                grades.browse(),
            )
            if next_grade and (next_grade, currency) not in requirements:
                requirements[next_grade, currency] = self._prm_requirements_in(
                    next_grade._prm_requirements(), currency, today
                )
            progress = (
                self._prm_requirement_progress(
                    values, requirements[next_grade, currency], currency
                )
                if next_grade
                else []
            )
            partner.update(
                {
                    "prm_score_currency_id": currency,
                    "prm_score_revenue_12m": revenue,
                    "prm_score_revenue_prev_12m": before,
                    "prm_score_revenue_trend": round(
                        100.0 * (revenue - before) / abs(before), 1
                    )
                    if not currency.is_zero(before)
                    else 0.0,
                    "prm_score_pipeline_value": values["pipeline_value"],
                    "prm_score_won_count": int(values["won_count"]),
                    "prm_score_win_rate": values["win_rate"],
                    "prm_score_avg_deal_size": values["avg_deal_size"],
                    "prm_score_next_grade_id": next_grade,
                    "prm_score_tier_progress": (
                        sum(item["percent"] for item in progress) / len(progress)
                        if progress
                        else 100.0
                    ),
                    "prm_score_days_since_join": (
                        (today - partner.date_partnership).days
                        if partner.date_partnership
                        else 0
                    ),
                }
            )

    def _compute_prm_agreement_count(self):
        data = dict(
            self.env["prm.agreement"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.prm_agreement_count = data.get(partner, 0)

    @api.depends("prm_onboarding_task_ids.done")
    def _compute_prm_onboarding_progress(self):
        for partner in self:
            tasks = partner.prm_onboarding_task_ids
            done = len(tasks.filtered("done"))
            partner.prm_onboarding_progress = (
                100.0 * done / len(tasks) if tasks else 0.0
            )

    @api.depends("prm_downgrade_since", "grade_id.prm_grace_days")
    def _compute_prm_downgrade_date(self):
        for partner in self:
            since = partner.prm_downgrade_since
            partner.prm_downgrade_date = (
                since + timedelta(days=partner.grade_id.prm_grace_days)
                if since
                else False
            )

    @api.constrains("prm_state", "parent_id", "is_company")
    def _check_prm_commercial_entity(self):
        for partner in self:
            if partner.prm_state and partner.commercial_partner_id != partner:
                raise ValidationError(
                    _(
                        "Program membership belongs to the company: set it on "
                        "%(company)s instead of its contact %(contact)s.",
                        company=partner.commercial_partner_id.display_name,
                        contact=partner.name,
                    )
                )

    @api.constrains("prm_tier_override_id", "prm_tier_override_reason")
    def _check_prm_tier_override(self):
        for partner in self:
            if partner.prm_tier_override_id and not partner.prm_tier_override_reason:
                raise ValidationError(
                    _("A tier override on %s needs a reason.", partner.display_name)
                )

    # ------------------------------------------------------------------
    # CRUD: access to program data, state machine, tier history
    # ------------------------------------------------------------------

    def _prm_check_program_write(self, vals):
        """Only the channel team edits program data.

        PRM users change the partners they manage; PRM administrators change
        any partner and alone set tier overrides.
        """
        if self.env.su:
            return
        changed = set(vals)
        if not changed & (PROGRAM_FIELDS | OVERRIDE_FIELDS):
            return
        user = self.env.user
        if user.has_group("prm_base.group_prm_manager"):
            return
        if changed & OVERRIDE_FIELDS:
            raise AccessError(
                _("Only PRM administrators can override a partner's tier.")
            )
        if not user.has_group("prm_base.group_prm_user"):
            raise AccessError(
                _("Only the partner program team can change partner program data.")
            )
        foreign = self.filtered(
            lambda p: p.prm_channel_manager_id and p.prm_channel_manager_id != user
        )
        if foreign:
            raise AccessError(
                _(
                    "You can only change the program data of partners you manage "
                    "(%(partners)s are managed by someone else).",
                    partners=", ".join(foreign.mapped("display_name")),
                )
            )

    def _prm_check_state_transition(self, new_state):
        labels = dict(self._fields["prm_state"]._description_selection(self.env))
        for partner in self:
            old_state = partner.prm_state
            if old_state == new_state:
                continue
            if new_state not in STATE_TRANSITIONS[old_state]:
                raise UserError(
                    _(
                        "%(partner)s cannot move from %(old)s to %(new)s in the "
                        "partner program.",
                        partner=partner.display_name,
                        old=labels.get(old_state, _("not a member")),
                        new=labels.get(new_state, _("not a member")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        default_state = self.env.context.get("default_prm_state")
        for vals in vals_list:
            if default_state and vals.get("parent_id") and not vals.get("is_company"):
                # contacts created inside a program partner's form are no members
                vals.setdefault("prm_state", False)
            self.browse()._prm_check_program_write(
                {key: value for key, value in vals.items() if _sets_something(value)}
            )
            if (
                vals.get("prm_state")
                and vals["prm_state"] not in STATE_TRANSITIONS[False]
            ):
                raise UserError(
                    _(
                        "A partner joins the program as an applicant, in onboarding "
                        "or active, not as %s.",
                        dict(PROGRAM_STATES).get(vals["prm_state"], vals["prm_state"]),
                    )
                )
        partners = super().create(vals_list)
        partners.filtered("prm_state")._prm_on_state_change()
        return partners

    def write(self, vals):
        self._prm_check_program_write(vals)
        if "prm_state" in vals:
            self._prm_check_state_transition(vals["prm_state"])
        old_grades = {}
        if "grade_id" in vals and not self.env.context.get("prm_tier_evaluation"):
            old_grades = {partner.id: partner.grade_id for partner in self}
        moved = self.browse()
        if "prm_state" in vals:
            moved = self.filtered(lambda p: p.prm_state != vals["prm_state"])
        res = super().write(vals)
        if moved:
            moved._prm_on_state_change()
        if old_grades:
            self._prm_log_manual_tier_change(old_grades)
        return res

    def _prm_on_state_change(self):
        """Side effects of entering a program state."""
        onboarding = self.filtered(lambda p: p.prm_state == "onboarding")
        if onboarding:
            onboarding._prm_generate_onboarding_tasks()
        active = self.filtered(lambda p: p.prm_state == "active")
        if not active:
            return
        today = fields.Date.context_today(self)
        active.filtered(lambda p: not p.date_partnership).write(
            {"date_partnership": today}
        )
        active.filtered(lambda p: not p.grade_id)._prm_assign_entry_tier()

    def _prm_assign_entry_tier(self):
        """Give the partners the entry tier (lowest rank), with a history row."""
        entry_tier = self.env["res.partner.grade"]._prm_entry_tier()
        if not entry_tier or not self:
            return
        self.with_context(prm_tier_evaluation=True).write({"grade_id": entry_tier.id})
        self.env["prm.tier.history"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "to_grade_id": entry_tier.id,
                    "reason": "entry",
                }
                for partner in self
            ]
        )

    def _prm_log_manual_tier_change(self, old_grades):
        members = self.filtered(
            lambda p: p.prm_state and p.grade_id != old_grades.get(p.id)
        )
        if members:
            self.env["prm.tier.history"].sudo().create(
                [
                    {
                        "partner_id": partner.id,
                        "from_grade_id": old_grades[partner.id].id,
                        "to_grade_id": partner.grade_id.id,
                        "reason": "manual",
                    }
                    for partner in members
                ]
            )

    # ------------------------------------------------------------------
    # State buttons
    # ------------------------------------------------------------------

    def action_prm_start_onboarding(self):
        self.write({"prm_state": "onboarding"})

    def action_prm_activate(self):
        self.write({"prm_state": "active"})

    def action_prm_suspend(self):
        self.write({"prm_state": "suspended"})

    def action_prm_terminate(self):
        self.write({"prm_state": "terminated"})

    def action_prm_reapply(self):
        self.write({"prm_state": "applicant"})

    def action_prm_evaluate_tier(self):
        """Button: evaluate now the tier of the selected partners."""
        self._prm_check_program_write({"prm_state": True})
        self.sudo()._prm_evaluate_tiers(author=self.env.user.partner_id)
        return True

    def action_prm_view_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_base.prm_agreement_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Onboarding
    # ------------------------------------------------------------------

    def _prm_generate_onboarding_tasks(self):
        """Create the checklist of the partners from the templates of their type."""
        templates = self.env["prm.onboarding.template"].search([])
        vals_list = []
        for partner in self:
            existing_steps = partner.prm_onboarding_task_ids.step_id
            for template in templates:
                if template.partner_type and template.partner_type != (
                    partner.prm_partner_type
                ):
                    continue
                for step in template.step_ids - existing_steps:
                    vals_list.append(
                        {
                            "partner_id": partner.id,
                            "step_id": step.id,
                            "name": step.name,
                            "description": step.description,
                            "sequence": template.sequence * 1000 + step.sequence,
                        }
                    )
        return self.env["prm.onboarding.task"].sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Attribution
    # ------------------------------------------------------------------

    def _prm_resale_channel_partner(self):
        """The program member a sale to this customer is attributed to (resale).

        Returns the commercial entity when it is a program member, else an
        empty recordset.
        """
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial if commercial.prm_state in RESALE_STATES else self.browse()

    # ------------------------------------------------------------------
    # KPIs (set-based)
    # ------------------------------------------------------------------

    def _prm_kpi_period_start(self):
        return fields.Date.context_today(self) - relativedelta(years=1)

    def _prm_kpi_currencies(self):
        """Currency of the KPIs of each partner: ``{partner_id: currency}``.

        Rule: a partner that belongs to a company (``company_id``) has its KPIs
        in that company's currency; a partner shared by all companies has them
        in the currency of the current company (the one running the
        evaluation, the main company for the scheduled evaluation). The KPIs
        count what the partner sells in every company: each company's figures
        (already in that company's currency, converted by accounting at the
        invoice date) are converted into the KPI currency at the rate of the
        evaluation date.
        """
        default = self.env.company.currency_id
        return {
            partner.id: partner.company_id.currency_id or default for partner in self
        }

    def _prm_convert_amounts(self, rows, currency, date, currencies=None):
        """Sum ``(partner_id, company, amount)`` rows into ``currency``.

        ``currencies`` (``{partner_id: currency}``, see ``_prm_kpi_currencies``)
        gives each partner its own target currency instead. Conversion rates
        are looked up once per pair of currencies, never per partner.
        """
        rates = {}
        totals = defaultdict(float)
        currencies = currencies or {}
        for partner_id, company, amount in rows:
            source = company.currency_id
            target = currencies.get(partner_id, currency)
            if (source, target) not in rates:
                rates[source, target] = source._get_conversion_rate(
                    source, target, self.env.company, date
                )
            totals[partner_id] += (amount or 0.0) * rates[source, target]
        return totals

    def _prm_revenue_rows(self, date_from, date_to):
        """``(partner_id, company, amount)`` of the attributed revenue of the
        partners in ``self`` between two dates (included), one row per
        company, amounts in the company's currency. One query.

        Attributed revenue: posted customer invoices minus refunds, untaxed,
        not excluded from partner revenue, attributed to the partner or
        (resale) invoiced to it. ``prm.revenue.report`` follows the same
        definition.
        """
        if not self.ids:
            return []
        self.env["account.move"].flush_model(
            [
                "state",
                "move_type",
                "invoice_date",
                "prm_channel_partner_id",
                "commercial_partner_id",
                "amount_untaxed_signed",
                "company_id",
                "prm_revenue_excluded",
            ]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(m.prm_channel_partner_id, m.commercial_partner_id),
                       m.company_id,
                       SUM(m.amount_untaxed_signed)
                  FROM account_move m
                 WHERE m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.prm_revenue_excluded IS NOT TRUE
                   AND m.invoice_date >= %(date_from)s
                   AND m.invoice_date <= %(date_to)s
                   AND (m.prm_channel_partner_id = ANY(%(ids)s)
                        OR (m.prm_channel_partner_id IS NULL
                            AND m.commercial_partner_id = ANY(%(ids)s)))
              GROUP BY 1, 2
                """,
                date_from=date_from,
                date_to=date_to,
                ids=self.ids,
            )
        )
        companies = self.env["res.company"].sudo()
        return [
            (pid, companies.browse(company_id), amount)
            for pid, company_id, amount in self.env.cr.fetchall()
        ]

    def _prm_compute_kpis(self):
        """Return ``{partner_id: {kpi_key: value}}`` for the partners in ``self``.

        The number of queries does not depend on the number of partners.
        Extension hook: other addons call ``super()`` and add their own keys,
        which tier requirements can then refer to (see
        ``res.partner.grade._prm_requirements``). Amounts are in each
        partner's KPI currency (see ``_prm_kpi_currencies``).
        """
        currency = self.env.company.currency_id
        today = fields.Date.context_today(self)
        date_from = self._prm_kpi_period_start()
        kpis = {pid: dict.fromkeys(KPI_KEYS, 0.0) for pid in self.ids}
        if not self.ids:
            return kpis
        currencies = self._prm_kpi_currencies()
        revenue = self._prm_convert_amounts(
            self._prm_revenue_rows(date_from, today), currency, today, currencies
        )

        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        base_domain = [
            ("prm_channel_partner_id", "in", self.ids),
            ("type", "=", "opportunity"),
        ]
        won_groups = Lead._read_group(
            base_domain
            + [
                ("active", "=", True),
                ("stage_id.is_won", "=", True),
                ("date_closed", ">=", fields.Datetime.to_datetime(date_from)),
            ],
            ["prm_channel_partner_id", "company_id"],
            ["__count", "expected_revenue:sum"],
        )
        lost_groups = Lead._read_group(
            base_domain
            + [
                ("active", "=", False),
                ("probability", "=", 0),
                ("date_closed", ">=", fields.Datetime.to_datetime(date_from)),
            ],
            ["prm_channel_partner_id"],
            ["__count"],
        )
        open_groups = Lead._read_group(
            base_domain
            + [
                ("active", "=", True),
                "|",
                ("stage_id", "=", False),
                ("stage_id.is_won", "=", False),
            ],
            ["prm_channel_partner_id", "company_id"],
            ["expected_revenue:sum"],
        )
        won_count = defaultdict(int)
        for partner, _company, count, _amount in won_groups:
            won_count[partner.id] += count
        won_amount = self._prm_convert_amounts(
            [(p.id, c or self.env.company, a) for p, c, _n, a in won_groups],
            currency,
            today,
            currencies,
        )
        pipeline = self._prm_convert_amounts(
            [(p.id, c or self.env.company, a) for p, c, a in open_groups],
            currency,
            today,
            currencies,
        )
        lost_count = {partner.id: count for partner, count in lost_groups}
        for pid, values in kpis.items():
            won = won_count.get(pid, 0)
            lost = lost_count.get(pid, 0)
            kpi_currency = currencies[pid]
            values.update(
                revenue_12m=kpi_currency.round(revenue.get(pid, 0.0)),
                won_count=won,
                lost_count=lost,
                won_amount=kpi_currency.round(won_amount.get(pid, 0.0)),
                pipeline_value=kpi_currency.round(pipeline.get(pid, 0.0)),
                win_rate=round(100.0 * won / (won + lost), 2) if won + lost else 0.0,
                avg_deal_size=kpi_currency.round(won_amount.get(pid, 0.0) / won)
                if won
                else 0.0,
            )
        return kpis

    def _prm_store_kpis(self, kpis):
        """Write the KPI cache columns of all partners in one statement."""
        currencies = self.browse(list(kpis))._prm_kpi_currencies()
        update_rows(
            self.env["res.partner"],
            {
                pid: {
                    "prm_kpi_currency_id": currencies[pid].id,
                    "prm_revenue_12m": values["revenue_12m"],
                    "prm_won_count": int(values["won_count"]),
                    "prm_lost_count": int(values["lost_count"]),
                    "prm_pipeline_value": values["pipeline_value"],
                    "prm_win_rate": values["win_rate"],
                    "prm_avg_deal_size": values["avg_deal_size"],
                }
                for pid, values in kpis.items()
            },
            constants={"prm_kpi_date": fields.Datetime.now()},
        )

    def action_prm_refresh_kpis(self):
        self._prm_check_program_write({"prm_state": True})
        self.sudo()._prm_store_kpis(self.sudo()._prm_compute_kpis())
        return True

    # ------------------------------------------------------------------
    # Tier evaluation
    # ------------------------------------------------------------------

    @api.model
    def _cron_prm_evaluate_tiers(self):
        partners = self.search([("prm_state", "in", EVALUATED_STATES)])
        partners._prm_evaluate_tiers()

    def _prm_target_tier(self, kpis, grades, requirements):
        """Best tier whose requirements the KPIs meet (``grades`` best first)."""
        for grade in grades:
            if grade._prm_requirements_met(kpis, requirements[grade.id]):
                return grade
        return grades.browse()

    def _prm_evaluate_tiers(self, author=None):
        """Evaluate the tier of the partners in ``self``.

        Upgrades apply at once, downgrades only once the current tier's grace
        period has passed, active manual overrides win, expired overrides are
        lifted. Every change writes a tier history row with a KPI snapshot and
        a chatter note. The partners are updated in one statement, history
        rows and notes inserted in one each, so the number of queries does not
        depend on the number of partners or of changes.
        """
        # one read of what the decisions use, not one per 1000 partners
        self.fetch(TIER_READ_FIELDS)
        partners = self.filtered(lambda p: p.prm_state in EVALUATED_STATES)
        if not partners:
            return {}
        today = fields.Date.context_today(self)
        kpis = partners._prm_compute_kpis()
        partners._prm_store_kpis(kpis)
        Grade = self.env["res.partner.grade"]
        grades = Grade.search([], order="prm_rank desc, sequence, id")
        requirements = {grade.id: grade._prm_requirements() for grade in grades}
        # each partner is compared in its KPI currency (one conversion of the
        # requirements per currency)
        currencies = partners._prm_kpi_currencies()
        converted = {}

        updates = {}  # partner id -> values to write
        history_vals = []
        bodies = {}
        for partner in partners:
            currency = currencies[partner.id]
            if currency not in converted:
                converted[currency] = {
                    grade_id: self._prm_requirements_in(reqs, currency, today)
                    for grade_id, reqs in requirements.items()
                }
            vals, change = partner._prm_tier_decision(
                kpis[partner.id], grades, converted[currency], today
            )
            if vals:
                updates[partner.id] = vals
            if change:
                to_grade, reason, note = change
                history_vals.append(
                    partner._prm_history_vals(
                        partner.grade_id, to_grade, reason, kpis, note
                    )
                )
                bodies[partner.id] = partner._prm_tier_message(
                    partner.grade_id, to_grade, reason, note
                )

        evaluation = self.with_context(prm_tier_evaluation=True, tracking_disable=True)
        evaluation._prm_write_tier_updates(updates)
        benefits = defaultdict(list)  # new tier -> partner ids
        for partner_id, vals in updates.items():
            if vals.get("grade_id"):
                benefits[vals["grade_id"]].append(partner_id)
        for grade_id, partner_ids in benefits.items():
            evaluation.browse(partner_ids)._prm_apply_tier_benefits(
                Grade.browse(grade_id)
            )
        if history_vals:
            companies = {partner.id: partner.company_id.id for partner in partners}
            insert_rows(
                self.env["prm.tier.history"].sudo(),
                [
                    dict(vals, company_id=companies[vals["partner_id"]])
                    for vals in history_vals
                ],
            )
            self.browse(list(bodies))._prm_log_tier_notes(bodies, author=author)
        return {vals["partner_id"]: vals["to_grade_id"] for vals in history_vals}

    def _prm_write_tier_updates(self, updates):
        """Write the tier evaluation's ``{partner_id: vals}`` in one UPDATE.

        ``vals`` are tier, pending downgrade and override values (see
        ``_prm_tier_decision``); the stored fields computed from the tier are
        written with them, as ``write()`` would recompute them, and the stored
        related copies of the tier on other models (opportunities,
        statements...) are updated
        set-based. No ``write()`` side effect runs: the evaluation writes its
        own history and chatter notes, and tracking is off.
        """
        if not updates:
            return
        partners = self.browse(list(updates))
        names = sorted({name for vals in updates.values() for name in vals})
        relational = [name for name in names if self._fields[name].relational]
        # modified() reads the inverses of the dependencies (e.g. a partner's
        # NPS responses): read them at once, not per 1000 partners
        inverses = {
            inverse.name
            for name in names
            for dependency in self.pool.get_field_trigger_tree(self._fields[name])
            for inverse in self.pool.field_inverses[dependency]
            if inverse.model_name == self._name
            and inverse.type in ("one2many", "many2many")
            and not inverse.domain
        }
        partners.fetch(sorted(inverses))
        # what depended on the old values through relations (as write() does)
        partners.modified(relational, before=True)
        grades = self.env["res.partner.grade"].browse(
            {vals["grade_id"] for vals in updates.values() if vals.get("grade_id")}
        )
        grades.fetch(["sequence", "partner_weight"])
        rows = {}
        for partner in partners:
            vals = updates[partner.id]
            row = {name: vals.get(name, partner[name]) for name in names}
            if "grade_id" in vals:
                grade = grades.browse(vals["grade_id"])
                # same as _compute_partner_weight and the related grade_sequence
                row["partner_weight"] = grade.partner_weight if grade else 0
                row["grade_sequence"] = grade.sequence if grade else 0
            else:
                row["partner_weight"] = partner.partner_weight
                row["grade_sequence"] = partner.grade_sequence
            rows[partner.id] = {
                name: self._prm_sql_value(name, value) for name, value in row.items()
            }
        update_rows(
            self.env["res.partner"],
            rows,
            constants={"write_uid": self.env.uid, "write_date": self.env.cr.now()},
        )
        computed = [self._fields["partner_weight"], self._fields["grade_sequence"]]
        with self.env.protecting(computed, partners):
            for name in names:
                partners.filtered(lambda p, name=name: name in updates[p.id]).modified(
                    [name]
                )
        partners._prm_update_related_copies(names)

    def _prm_sql_value(self, name, value):
        """``value`` of field ``name`` as a parameter of ``update_rows``."""
        field = self._fields[name]
        if field.type == "many2one":
            return value.id if isinstance(value, models.BaseModel) else value or None
        if field.type in ("integer", "float", "monetary", "boolean"):
            return value
        return value or None

    def _prm_update_related_copies(self, names):
        """Recompute set-based the stored related fields of other models that
        copy partner fields (``partner_id.grade_id``), marked to recompute by
        ``modified()``: one UPDATE per field instead of the ORM's batches."""
        for field in list(self.env.fields_to_compute()):
            path = (field.related or "").split(".")
            if len(path) != 2 or path[1] not in names or field.model_name == self._name:
                continue
            model = self.env[field.model_name]
            link = model._fields[path[0]]
            if not (
                link.type == "many2one"
                and link.store
                and link.comodel_name == self._name
            ):
                continue
            records = self.env.records_to_compute(field)
            model.flush_model([link.name])
            self.flush_model([path[1]])
            assignments = [
                SQL(
                    "%s = p.%s",
                    SQL.identifier(field.name),
                    SQL.identifier(path[1]),
                )
            ]
            if model._log_access:
                assignments.append(SQL("write_uid = %s", self.env.uid))
                assignments.append(SQL("write_date = %s", self.env.cr.now()))
            self.env.cr.execute(
                SQL(
                    """UPDATE %(table)s AS t SET %(assignments)s
                         FROM %(partners)s AS p
                        WHERE p.id = t.%(link)s AND t.id = ANY(%(ids)s)
                          AND t.%(column)s IS DISTINCT FROM p.%(source)s""",
                    table=SQL.identifier(model._table),
                    assignments=SQL(", ").join(assignments),
                    partners=SQL.identifier(self._table),
                    link=SQL.identifier(link.name),
                    ids=list(records.ids),
                    column=SQL.identifier(field.name),
                    source=SQL.identifier(path[1]),
                )
            )
            self.env.remove_to_compute(field, records)
            records.invalidate_recordset([field.name, "write_uid", "write_date"])

    def _prm_log_tier_notes(self, bodies, author=None):
        """Post the tier change notes ``{partner_id: body}`` in one INSERT,
        with the values of ``mail.thread._message_log_batch``."""
        author_id, email_from = self._message_compute_author(
            author.id if author else None, None, raise_on_email=False
        )
        base = {
            "author_id": author_id,
            "email_from": email_from,
            "model": self._name,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "message_type": "notification",
            "is_internal": True,
            "subject": False,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=email_from
            )[False],
        }
        # no default values of the context for messages, as in _message_create
        messages = insert_rows(
            self.env["mail.message"]
            .sudo()
            .with_context(clean_context(self.env.context)),
            [
                dict(base, res_id=partner_id, body=bodies[partner_id])
                for partner_id in self.ids
            ],
        )
        self.invalidate_recordset(["message_ids"])
        return messages

    def _prm_tier_decision(self, kpis, grades, requirements, today):
        """Decide the tier of one partner from its KPIs, without writing.

        Returns ``(vals, change)``: the values to write (grouped with other
        partners' identical values by the caller) and, when the tier changes or
        an override ends, ``(new_grade, reason, note)`` for the history.
        """
        self.ensure_one()
        current = self.grade_id
        override = self.prm_tier_override_id
        until = self.prm_tier_override_until
        override_ended = bool(override and until and until < today)
        if override and not override_ended:
            if override == current:
                return {}, None
            return self._prm_tier_change_vals(override), (override, "override", False)
        target = self._prm_target_tier(kpis, grades, requirements)
        if override_ended:
            vals = dict(self._prm_tier_change_vals(target), **OVERRIDE_CLEAR_VALS)
            note = target == current and _(
                "Tier override ended; the tier is confirmed."
            )
            return vals, (target, "override_end", note)
        if target == current:
            return (PENDING_CLEAR_VALS if self.prm_downgrade_since else {}), None
        if not current or target.prm_rank > current.prm_rank:
            return self._prm_tier_change_vals(target), (target, "upgrade", False)
        # Downgrade: only once the grace period of the current tier has passed.
        since = self.prm_downgrade_since or today
        if since + timedelta(days=current.prm_grace_days) > today:
            if (
                self.prm_downgrade_since == since
                and self.prm_downgrade_grade_id == target
            ):
                return {}, None
            return {
                "prm_downgrade_since": since,
                "prm_downgrade_grade_id": target.id,
            }, None
        note = _(
            "Requirements of %(tier)s unmet since %(since)s (grace period "
            "%(days)s days).",
            tier=current.name,
            since=since,
            days=current.prm_grace_days,
        )
        return self._prm_tier_change_vals(target), (target, "downgrade", note)

    def _prm_tier_change_vals(self, grade):
        return dict(PENDING_CLEAR_VALS, grade_id=grade.id)

    def _prm_history_vals(self, from_grade, to_grade, reason, kpis, note=False):
        self.ensure_one()
        return {
            "partner_id": self.id,
            "from_grade_id": from_grade.id,
            "to_grade_id": to_grade.id,
            "reason": reason,
            "note": note,
            "kpi_snapshot": kpis.get(self.id),
        }

    def _prm_tier_message(self, from_grade, to_grade, reason, note=False):
        reasons = dict(
            self.env["prm.tier.history"]
            ._fields["reason"]
            ._description_selection(self.env)
        )
        body = Markup("%s: %s &rarr; %s") % (
            reasons[reason],
            from_grade.name or _("no tier"),
            to_grade.name or _("no tier"),
        )
        if note:
            body += Markup("<br/>") + escape(note)
        return body

    def _prm_apply_tier_benefits(self, grade):
        """Give the partners the pricelist of their new tier."""
        if grade.prm_pricelist_id:
            self.write({"property_product_pricelist": grade.prm_pricelist_id.id})

    # ------------------------------------------------------------------
    # Progress to the next tier (back office and portal)
    # ------------------------------------------------------------------

    def _prm_next_tier(self):
        self.ensure_one()
        return self.env["res.partner.grade"].search(
            [("prm_rank", ">", self.grade_id.prm_rank)],
            order="prm_rank, sequence",
            limit=1,
        )

    def _prm_tier_progress(self):
        """Requirements of the next tier with the partner's current values.

        Returns ``(next_grade, [{label, target, value, percent, monetary}])``,
        amounts in the partner's KPI currency.
        """
        self.ensure_one()
        next_grade = self._prm_next_tier()
        if not next_grade:
            return next_grade, []
        kpis = self._prm_compute_kpis()[self.id]
        currency = self._prm_kpi_currencies()[self.id]
        requirements = self._prm_requirements_in(
            next_grade._prm_requirements(),
            currency,
            fields.Date.context_today(self),
        )
        return next_grade, self._prm_requirement_progress(kpis, requirements, currency)

    @api.model
    def _prm_requirements_in(self, requirements, currency, date):
        """Tier ``requirements`` with their monetary targets converted into
        ``currency``.

        Tiers are shared by all companies: their monetary thresholds are
        amounts in the currency of the current company (the main company for
        the scheduled evaluation).
        """
        source = self.env.company.currency_id
        if currency == source:
            return requirements
        rate = source._get_conversion_rate(source, currency, self.env.company, date)
        return [
            dict(requirement, target=currency.round(requirement["target"] * rate))
            if requirement.get("monetary")
            else requirement
            for requirement in requirements
        ]

    @api.model
    def _prm_requirement_progress(self, kpis, requirements, currency):
        progress = []
        for requirement in requirements:
            value = kpis.get(requirement["key"], 0.0)
            target = requirement["target"]
            progress.append(
                dict(
                    requirement,
                    value=value,
                    percent=min(100.0, 100.0 * value / target) if target else 100.0,
                    met=float_compare(
                        value, target, precision_rounding=currency.rounding
                    )
                    >= 0,
                )
            )
        return progress
