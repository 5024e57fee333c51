# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

import psycopg2
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, plaintext2html

from .customer_keys import (
    GENERIC_MAIL_DOMAINS,
    ensure_trigram_index,
    normalize_domain,
    normalize_name,
    normalize_vat,
    trigram_match,
)
from .prm_deal_conflict import (
    COUNTRY_BONUS,
    COUNTRY_PENALTY,
    MAX_NAME_MATCHES,
    MIN_NAME_SIMILARITY,
    SCORE_NAME,
)

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("returned", "Returned"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
    ("won", "Won"),
    ("lost", "Lost"),
]
# Registrations a new submission competes with.
OPEN_STATES = ("submitted", "returned", "approved")
# States reached through a reviewer's (or the automatic) approval or rejection.
DECIDED_STATES = ("approved", "rejected", "expired", "won", "lost")
# States in which the partner edits its registration.
EDITABLE_STATES = ("draft", "returned")
# What partners (portal users) may write; everything else goes through actions.
PORTAL_FIELDS = frozenset(
    {
        "customer_name",
        "customer_vat",
        "customer_website",
        "customer_email",
        "customer_city",
        "customer_country_id",
        "customer_state_id",
        "contact_name",
        "contact_email",
        "contact_phone",
        "line_ids",
        "expected_revenue",
        "currency_id",
        "date_expected_close",
        "description",
    }
)
# Written by the workflow only (as superuser, see ``_prm_transition``).
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "date_submitted",
        "date_decided",
        "date_approved",
        "decided_by_id",
        "protection_start",
        "protection_end",
        "reminder_sent",
        "lead_id",
        "auto_approved",
    }
)
DEFAULT_PROTECTION_DAYS = 90


class PrmDealRegistration(models.Model):
    _name = "prm.deal.registration"
    _description = "Deal Registration"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_submitted desc, id desc"
    _check_company_auto = True
    # partners discuss approved registrations with their channel manager
    _mail_post_access = "read"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("prm_state", "!=", False), ("is_company", "=", True)],
        default=lambda self: self._default_partner_id(),
        help="The program partner registering the deal.",
    )
    grade_id = fields.Many2one(related="partner_id.grade_id", string="Tier")
    user_id = fields.Many2one(
        "res.users",
        string="Channel Manager",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        tracking=True,
        index="btree_not_null",
        domain=[("share", "=", False)],
    )
    submitted_by_id = fields.Many2one(
        "res.users",
        string="Registered By",
        default=lambda self: self.env.user,
        index=True,
        copy=False,
    )
    # End customer
    customer_name = fields.Char(string="Customer", required=True, tracking=True)
    customer_vat = fields.Char(string="Customer Tax ID", tracking=True)
    customer_website = fields.Char(string="Customer Website")
    customer_email = fields.Char(string="Customer Email")
    customer_city = fields.Char(string="Customer City")
    customer_country_id = fields.Many2one(
        "res.country", string="Customer Country", tracking=True
    )
    customer_state_id = fields.Many2one(
        "res.country.state",
        string="Customer State",
        domain="[('country_id', '=?', customer_country_id)]",
    )
    contact_name = fields.Char(string="Contact Name")
    contact_email = fields.Char(string="Contact Email")
    contact_phone = fields.Char(string="Contact Phone")
    # Keys the conflict detection compares
    vat_normalized = fields.Char(
        string="Normalized Tax ID",
        compute="_compute_vat_normalized",
        store=True,
        index="btree_not_null",
    )
    domain_normalized = fields.Char(
        string="Customer Domain",
        compute="_compute_domain_normalized",
        store=True,
        index="btree_not_null",
    )
    name_normalized = fields.Char(
        string="Normalized Customer Name",
        compute="_compute_name_normalized",
        store=True,
        help="Indexed for trigram similarity (pg_trgm).",
    )
    # Deal
    line_ids = fields.One2many(
        "prm.deal.registration.line", "registration_id", string="Products", copy=True
    )
    expected_revenue = fields.Monetary(
        compute="_compute_expected_revenue",
        store=True,
        readonly=False,
        tracking=True,
        help="Total of the product lines, or the amount given when there are none.",
    )
    expected_revenue_company = fields.Monetary(
        string="Expected Revenue (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_expected_revenue_company",
        store=True,
        help="Expected revenue converted to the company currency at the rate of "
        "the submission date (of the creation date for drafts).",
    )
    date_expected_close = fields.Date(string="Expected Closing", tracking=True)
    description = fields.Text(string="Deal Description")
    # Workflow
    state = fields.Selection(
        STATES,
        string="Status",
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_submitted = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    date_decided = fields.Datetime(string="Decided On", readonly=True, copy=False)
    date_approved = fields.Datetime(string="Approved On", readonly=True, copy=False)
    decided_by_id = fields.Many2one(
        "res.users", string="Decided By", readonly=True, copy=False
    )
    decision_hours = fields.Float(
        string="Hours to Decision",
        compute="_compute_decision_time",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Time from the submission to the approval or rejection.",
    )
    decision_days = fields.Float(
        string="Days to Decision",
        compute="_compute_decision_time",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Time from the submission to the approval or rejection.",
    )
    auto_approved = fields.Boolean(readonly=True, copy=False)
    decision_note = fields.Text(
        string="Reviewer Note",
        copy=False,
        tracking=True,
        help="Why the registration was returned or rejected; the partner sees it.",
    )
    protection_start = fields.Date(readonly=True, copy=False, tracking=True)
    protection_end = fields.Date(readonly=True, copy=False, tracking=True)
    protection_days_left = fields.Integer(compute="_compute_protection_days_left")
    reminder_sent = fields.Boolean(
        string="Expiry Reminder Sent", readonly=True, copy=False
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
    )
    conflict_ids = fields.One2many(
        "prm.deal.conflict", "registration_id", string="Conflicts", readonly=True
    )
    conflict_score = fields.Integer(
        string="Conflict Score",
        compute="_compute_conflict_score",
        store=True,
        help="Highest score of the records matching this customer (0-100).",
    )
    has_conflict = fields.Boolean(
        string="Conflict", compute="_compute_conflict_score", store=True
    )
    extension_ids = fields.One2many(
        "prm.deal.extension", "registration_id", string="Extension Requests"
    )
    extension_pending = fields.Boolean(compute="_compute_extension_pending")

    _sql_constraints = [
        (
            "expected_revenue_positive",
            "CHECK(expected_revenue >= 0)",
            "The expected revenue cannot be negative.",
        ),
        (
            "protection_dates",
            "CHECK(protection_end IS NULL OR protection_end >= protection_start)",
            "The protection cannot end before it starts.",
        ),
    ]

    def init(self):
        """First come, first protected, in the database: among approved
        registrations a customer key (tax ID, domain, name in a country) occurs
        once per company. Two partners approved for the same customer at the
        same moment cannot both commit."""
        super().init()
        cr = self.env.cr
        for column in ("vat_normalized", "domain_normalized"):
            cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (company_id, %s) "
                    "WHERE state = 'approved' AND %s IS NOT NULL",
                    SQL.identifier(f"prm_deal_registration_protected_{column}_uniq"),
                    SQL.identifier(self._table),
                    SQL.identifier(column),
                    SQL.identifier(column),
                )
            )
        cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s "
                "(company_id, name_normalized, COALESCE(customer_country_id, 0)) "
                "WHERE state = 'approved' AND name_normalized IS NOT NULL",
                SQL.identifier("prm_deal_registration_protected_name_uniq"),
                SQL.identifier(self._table),
            )
        )
        ensure_trigram_index(self.env, self._table, "name_normalized")

    # ------------------------------------------------------------------
    # Defaults, computes, constraints
    # ------------------------------------------------------------------

    def _default_partner_id(self):
        if self.env.user._is_portal():
            return self.env.user.commercial_partner_id
        return self.env["res.partner"]

    @api.model
    def _prm_generic_mail_domains(self):
        """Mail providers whose domain says nothing about a company.

        Extension hook; the ``prm_deal_registration.generic_mail_domains``
        system parameter (comma-separated) adds domains to the built-in list.
        """
        extra = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("prm_deal_registration.generic_mail_domains", "")
        )
        return GENERIC_MAIL_DOMAINS | {
            domain.strip().lower() for domain in extra.split(",") if domain.strip()
        }

    @api.depends("partner_id")
    def _compute_user_id(self):
        for registration in self:
            registration.user_id = (
                registration.partner_id.prm_channel_manager_id or registration.user_id
            )

    @api.depends("customer_vat", "customer_country_id")
    def _compute_vat_normalized(self):
        for registration in self:
            registration.vat_normalized = normalize_vat(
                registration.customer_vat, registration.customer_country_id.code
            )

    @api.depends("customer_website", "customer_email", "contact_email")
    def _compute_domain_normalized(self):
        generic = self._prm_generic_mail_domains()
        for registration in self:
            registration.domain_normalized = normalize_domain(
                registration.customer_website,
                registration.customer_email,
                registration.contact_email,
                generic_domains=generic,
            )

    @api.depends("customer_name")
    def _compute_name_normalized(self):
        for registration in self:
            registration.name_normalized = normalize_name(registration.customer_name)

    @api.depends("line_ids.price_subtotal")
    def _compute_expected_revenue(self):
        for registration in self:
            if registration.line_ids:
                registration.expected_revenue = registration.currency_id.round(
                    sum(registration.line_ids.mapped("price_subtotal"))
                )
            else:
                registration.expected_revenue = registration.expected_revenue

    @api.depends(
        "expected_revenue", "currency_id", "company_id", "date_submitted", "create_date"
    )
    def _compute_expected_revenue_company(self):
        today = fields.Date.context_today(self)
        for registration in self:
            company = registration.company_id or self.env.company
            currency = registration.currency_id or company.currency_id
            date = registration.date_submitted or registration.create_date
            registration.expected_revenue_company = currency._convert(
                registration.expected_revenue,
                company.currency_id,
                company,
                fields.Date.to_date(date) if date else today,
            )

    @api.depends("state", "date_submitted", "date_decided")
    def _compute_decision_time(self):
        for registration in self:
            start = registration.date_submitted
            end = registration.date_decided
            if registration.state in DECIDED_STATES and start and end and end >= start:
                hours = (end - start).total_seconds() / 3600.0
                # the fields' digits round once; rounding here first would
                # round twice (265.947 -> 265.95 -> 266.0)
                registration.decision_hours = hours
                registration.decision_days = hours / 24.0
            else:
                registration.decision_hours = 0.0
                registration.decision_days = 0.0

    @api.depends("conflict_ids.score", "conflict_ids.is_blocking")
    def _compute_conflict_score(self):
        for registration in self:
            conflicts = registration.conflict_ids
            registration.conflict_score = max(conflicts.mapped("score"), default=0)
            registration.has_conflict = any(conflicts.mapped("is_blocking"))

    @api.depends("protection_end", "state")
    def _compute_protection_days_left(self):
        today = fields.Date.context_today(self)
        for registration in self:
            registration.protection_days_left = (
                (registration.protection_end - today).days
                if registration.state == "approved" and registration.protection_end
                else 0
            )

    @api.depends("extension_ids.state")
    def _compute_extension_pending(self):
        for registration in self:
            registration.extension_pending = (
                "requested" in registration.extension_ids.mapped("state")
            )

    def _compute_access_url(self):
        super()._compute_access_url()
        for registration in self:
            registration.access_url = f"/my/deals/{registration.id}"

    @api.depends("name", "customer_name")
    def _compute_display_name(self):
        for registration in self:
            registration.display_name = (
                f"{registration.name} - {registration.customer_name}"
                if registration.customer_name
                else registration.name
            )

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for registration in self:
            partner = registration.partner_id
            if partner.commercial_partner_id != partner or not partner.prm_state:
                raise ValidationError(
                    self.env._(
                        "Deals are registered by a program partner company, not by %s.",
                        partner.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD and access
    # ------------------------------------------------------------------

    def _prm_check_portal_values(self, vals):
        """Partners edit the deal data only, never the workflow."""
        forbidden = set(vals) - PORTAL_FIELDS
        if forbidden:
            raise AccessError(
                self.env._(
                    "You cannot change %s on a deal registration.",
                    ", ".join(sorted(forbidden)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        user = self.env.user
        portal = not self.env.su and user._is_portal()
        for vals in vals_list:
            if portal:
                self._prm_check_portal_values(
                    {k: v for k, v in vals.items() if k not in ("partner_id",)}
                )
                partner = user._prm_portal_partner()
                if not partner or vals.get("partner_id", partner.id) != partner.id:
                    raise AccessError(
                        self.env._("You can only register deals for your company.")
                    )
                vals.update(partner_id=partner.id, submitted_by_id=user.id)
            elif not self.env.su and (
                vals.get("state", "draft") != "draft"
                or any(vals.get(key) for key in WORKFLOW_FIELDS - {"state"})
            ):
                raise UserError(self.env._("A deal registration starts as a draft."))
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(
                    "prm.deal.registration"
                ) or self.env._("New")
        registrations = super().create(vals_list)
        registrations._prm_subscribe_channel_managers()
        return registrations

    def write(self, vals):
        if not self.env.su:
            if self.env.user._is_portal():
                self._prm_check_portal_values(vals)
                if any(r.state not in EDITABLE_STATES for r in self):
                    raise UserError(
                        self.env._(
                            "A registration can only be changed while it is a "
                            "draft or returned to you."
                        )
                    )
            elif WORKFLOW_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "Use the buttons of the registration to move it through "
                        "its workflow."
                    )
                )
        res = super().write(vals)
        if "user_id" in vals or "partner_id" in vals:
            self._prm_subscribe_channel_managers()
        return res

    def _prm_subscribe_channel_managers(self):
        # sudo: partners' users cannot read the channel manager's user
        for user, registrations in self.sudo().grouped("user_id").items():
            if user:
                registrations.message_subscribe(partner_ids=user.partner_id.ids)

    def _prm_transition(self):
        """The registrations, allowed to write their workflow fields: as
        superuser, once the action checked who may move them."""
        return self.sudo()

    def _prm_is_reviewer(self, user=None):
        """Whether ``user`` decides on the registrations in ``self``: PRM
        administrators for all, PRM users for the partners they manage."""
        user = user or self.env.user
        if user.has_group("prm_base.group_prm_manager"):
            return True
        if not user.has_group("prm_base.group_prm_user"):
            return False
        return all(
            user
            in (registration.user_id | registration.partner_id.prm_channel_manager_id)
            for registration in self
        )

    def _prm_check_reviewer(self):
        if self.env.su:
            return
        if not self._prm_is_reviewer():
            raise AccessError(
                self.env._(
                    "Only the channel manager of the partner or a PRM administrator "
                    "can decide on a deal registration."
                )
            )

    def _prm_check_state(self, allowed, action):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for registration in self:
            if registration.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(registration)s is %(state)s: it cannot be %(action)s.",
                        registration=registration.name,
                        state=labels[registration.state].lower(),
                        action=action,
                    )
                )

    # ------------------------------------------------------------------
    # Workflow: submit
    # ------------------------------------------------------------------

    def _prm_check_submittable(self):
        today = fields.Date.context_today(self)
        for registration in self:
            missing = [
                label
                for field_name, label in (
                    ("customer_name", self.env._("customer")),
                    ("customer_country_id", self.env._("customer country")),
                    ("date_expected_close", self.env._("expected closing date")),
                )
                if not registration[field_name]
            ]
            if not (
                registration.customer_vat
                or registration.customer_website
                or registration.customer_email
            ):
                missing.append(self.env._("customer tax ID, website or e-mail"))
            if missing:
                raise UserError(
                    self.env._(
                        "%(registration)s cannot be submitted without %(fields)s.",
                        registration=registration.name,
                        fields=", ".join(missing),
                    )
                )
            if registration.date_expected_close < today:
                raise UserError(
                    self.env._(
                        "The expected closing date of %s is in the past.",
                        registration.name,
                    )
                )
            if registration.currency_id.is_zero(registration.expected_revenue):
                raise UserError(
                    self.env._(
                        "Give the products or the expected revenue of %s.",
                        registration.name,
                    )
                )

    def action_submit(self):
        """Submit (or resubmit) the registrations for protection.

        Partners call it on their own registrations (record rules decide which);
        the conflict check and the approval then run as superuser, since they
        read other partners' data.
        """
        self._prm_check_state(EDITABLE_STATES, self.env._("submitted"))
        self.check_access("write")
        self._prm_check_submittable()
        self.sudo()._prm_submit()
        return True

    def _prm_submit(self):
        self._prm_transition().write(
            {
                "state": "submitted",
                "date_submitted": fields.Datetime.now(),
                "decision_note": False,
            }
        )
        self._prm_lock_customer_keys()
        conflicts = self._prm_detect_conflicts()
        conflicting = conflicts.filtered("is_blocking").registration_id
        auto = self.filtered(
            lambda r: r not in conflicting and r.partner_id.grade_id.prm_auto_approve
        )
        approved = auto._prm_approve(automatic=True)
        pending = self - approved
        pending._prm_send_template("mail_template_deal_submitted")
        pending._prm_schedule_review()
        conflicts.filtered("is_blocking")._prm_notify_channel_managers()
        return approved

    def _prm_customer_keys(self):
        """Advisory lock keys of the customers of the registrations."""
        keys = set()
        for registration in self:
            prefix = f"prm_deal:{registration.company_id.id}:"
            if registration.vat_normalized:
                keys.add(f"{prefix}vat:{registration.vat_normalized}")
            if registration.domain_normalized:
                keys.add(f"{prefix}domain:{registration.domain_normalized}")
            if registration.name_normalized:
                keys.add(
                    f"{prefix}name:{registration.customer_country_id.id}:"
                    f"{registration.name_normalized}"
                )
        return sorted(keys)

    def _prm_lock_customer_keys(self):
        """Serialize the submissions and approvals of the same customer.

        Transaction-level advisory locks, taken in a fixed order (no deadlock
        between two submitters), released at commit or rollback. The unique
        indexes of ``init`` remain the guarantee: a transaction whose snapshot
        predates the lock holder's commit learns about it there.
        """
        keys = self._prm_customer_keys()
        if keys:
            self.env.cr.execute(
                SQL(
                    "SELECT pg_advisory_xact_lock(hashtext(k)) "
                    "FROM unnest(%s::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n",
                    keys,
                )
            )

    # ------------------------------------------------------------------
    # Conflict detection
    # ------------------------------------------------------------------

    def _prm_conflict_queries(self):
        """One set-based query per kind of record a registration can conflict
        with: open registrations of other partners, open opportunities and
        existing customers.

        Each row: registration id, matched id, matched channel partner id,
        matched label, VAT match, domain match, name similarity, matched
        country id, registration country id, number of records of the kind
        matching the registration. Only the matches worth a review come out
        (see ``_prm_conflict_cut``).

        The records sharing a key with a registration ``r`` come from a
        lateral subquery on their table alone: as a join condition, the ``OR``
        of the three keys costs the planner more than the query takes to run
        (every branch against every index, for every join order), and
        ``OFFSET 0`` keeps the outer conditions out of it, where an index on
        them (the state, the type) could replace the keys' indexes.
        """
        open_states = tuple(OPEN_STATES)
        keys = {
            "registration": self._prm_conflict_keys("o", ""),
            "lead": self._prm_conflict_keys("l", "prm_"),
            "customer": self._prm_conflict_keys("p", "prm_"),
        }
        return {
            "registration": self._prm_conflict_cut(
                SQL(
                    """
                    SELECT r.id AS registration_id, o.id AS matched_id,
                           o.partner_id AS channel_partner_id,
                           o.name, o.customer_name,
                           COALESCE(o.vat_normalized = r.vat_normalized, FALSE)
                               AS vat_match,
                           COALESCE(o.domain_normalized = r.domain_normalized, FALSE)
                               AS domain_match,
                           COALESCE(%(similarity)s, 0) AS similarity,
                           o.customer_country_id AS matched_country_id,
                           r.customer_country_id AS country_id
                      FROM prm_deal_registration r
                CROSS JOIN LATERAL (
                        SELECT o.* FROM prm_deal_registration o
                         WHERE %(keys)s
                           AND o.company_id = r.company_id
                           AND o.partner_id != r.partner_id
                           AND o.state IN %(open_states)s
                        OFFSET 0
                       ) AS o
                     WHERE r.id = ANY(%(ids)s)
                    """,
                    keys=keys["registration"][0],
                    similarity=keys["registration"][1],
                    open_states=open_states,
                    ids=self.ids,
                ),
                label=SQL(
                    "m.name || ' - ' || m.customer_name || ' (' || mp.name || ')'"
                ),
                joins=SQL("JOIN res_partner mp ON mp.id = m.channel_partner_id"),
            ),
            "lead": self._prm_conflict_cut(
                SQL(
                    """
                    SELECT r.id AS registration_id, l.id AS matched_id,
                           l.prm_channel_partner_id AS channel_partner_id, l.name,
                           COALESCE(l.prm_vat_normalized = r.vat_normalized, FALSE)
                               AS vat_match,
                           COALESCE(l.prm_domain_normalized = r.domain_normalized,
                                    FALSE) AS domain_match,
                           COALESCE(%(similarity)s, 0) AS similarity,
                           l.country_id AS matched_country_id,
                           r.customer_country_id AS country_id
                      FROM prm_deal_registration r
                CROSS JOIN LATERAL (
                        SELECT l.* FROM crm_lead l
                         WHERE %(keys)s
                           AND COALESCE(l.company_id, r.company_id) = r.company_id
                           AND l.active
                           AND l.type = 'opportunity'
                           AND l.prm_channel_partner_id IS DISTINCT FROM r.partner_id
                           AND l.id IS DISTINCT FROM r.lead_id
                        OFFSET 0
                       ) AS l
                 LEFT JOIN crm_stage s ON s.id = l.stage_id
                     WHERE r.id = ANY(%(ids)s)
                       AND NOT COALESCE(s.is_won, FALSE)
                       AND NOT EXISTS (
                            SELECT 1 FROM prm_deal_registration x
                             WHERE x.lead_id = l.id AND x.state IN %(open_states)s)
                    """,
                    keys=keys["lead"][0],
                    similarity=keys["lead"][1],
                    open_states=open_states,
                    ids=self.ids,
                ),
                label=SQL("m.name || COALESCE(' (' || mp.name || ')', '')"),
                joins=SQL("LEFT JOIN res_partner mp ON mp.id = m.channel_partner_id"),
            ),
            "customer": self._prm_conflict_cut(
                SQL(
                    """
                    SELECT r.id AS registration_id, p.id AS matched_id,
                           NULL::int AS channel_partner_id, p.name,
                           COALESCE(p.prm_vat_normalized = r.vat_normalized, FALSE)
                               AS vat_match,
                           COALESCE(p.prm_domain_normalized = r.domain_normalized,
                                    FALSE) AS domain_match,
                           COALESCE(%(similarity)s, 0) AS similarity,
                           p.country_id AS matched_country_id,
                           r.customer_country_id AS country_id
                      FROM prm_deal_registration r
                CROSS JOIN LATERAL (
                        SELECT p.* FROM res_partner p
                         WHERE %(keys)s
                           AND COALESCE(p.company_id, r.company_id) = r.company_id
                           AND p.active
                           AND p.is_company
                           AND p.customer_rank > 0
                           AND p.id != r.partner_id
                        OFFSET 0
                       ) AS p
                     WHERE r.id = ANY(%(ids)s)
                    """,
                    keys=keys["customer"][0],
                    similarity=keys["customer"][1],
                    ids=self.ids,
                ),
                label=SQL("m.name"),
            ),
        }

    def _prm_conflict_keys(self, alias, prefix):
        """``(condition, similarity)`` of the record ``alias``: its keys (the
        columns ``<prefix>vat_normalized``, ``<prefix>domain_normalized`` and
        ``<prefix>name_normalized``, each one indexed) match those of the
        registration ``r``; the similarity of the names."""

        def column(name):
            return SQL("%s.%s", SQL.identifier(alias), SQL.identifier(prefix + name))

        match, similarity = trigram_match(
            column("name_normalized"),
            SQL("r.name_normalized"),
            self.env.registry.has_trigram,
        )
        condition = SQL(
            "(%s = r.vat_normalized OR %s = r.domain_normalized OR %s)",
            column("vat_normalized"),
            column("domain_normalized"),
            match,
        )
        return condition, similarity

    def _prm_conflict_cut(self, matches, label, joins=None):
        """The rows of the ``matches`` query (one per registration and matched
        record) worth a review, with their ``label``: every match on the tax ID
        or the domain, and of the matches on the name alone the
        ``MAX_NAME_MATCHES`` best-scored ones (by the score ``_prm_score``
        gives them, unrounded); each row with the number of all the matches
        of the registration in ``matches``. ``joins`` may join tables to the
        matches (``m``) for the label, after the cut. (``OFFSET 0`` computes
        the similarity of each match once, not once per use.)"""
        name_score = SQL(
            """%(weight)s * c.similarity + CASE
                   WHEN c.matched_country_id IS NULL OR c.country_id IS NULL THEN 0
                   WHEN c.matched_country_id = c.country_id THEN %(bonus)s
                   ELSE -%(penalty)s END""",
            weight=SCORE_NAME,
            bonus=COUNTRY_BONUS,
            penalty=COUNTRY_PENALTY,
        )
        return SQL(
            """
            SELECT m.registration_id, m.matched_id, m.channel_partner_id,
                   %(label)s, m.vat_match, m.domain_match, m.similarity,
                   m.matched_country_id, m.country_id, m.match_count
              FROM (
                SELECT c.*,
                       count(*) OVER (PARTITION BY c.registration_id)
                           AS match_count,
                       row_number() OVER (
                           PARTITION BY c.registration_id,
                                        c.vat_match OR c.domain_match
                           ORDER BY %(name_score)s DESC, c.matched_id
                       ) AS position
                  FROM (%(matches)s OFFSET 0) AS c
                   ) AS m
              %(joins)s
             WHERE m.vat_match OR m.domain_match OR m.position <= %(limit)s
            """,
            label=label,
            matches=matches,
            joins=joins or SQL(),
            name_score=name_score,
            limit=MAX_NAME_MATCHES,
        )

    def _prm_detect_conflicts(self):
        """Score the registrations against the records of other channels.

        One query in all, whatever the number of registrations and of
        matching records; the previous conflicts of the registrations are
        replaced. Of the records matching on the name alone, only the
        ``MAX_NAME_MATCHES`` best of each kind are kept, and every conflict
        row tells how many records of its kind matched (``match_count``).
        """
        Conflict = self.env["prm.deal.conflict"].sudo()
        Conflict.search([("registration_id", "in", self.ids)]).unlink()
        if not self:
            return Conflict
        self.flush_model()
        self.env["crm.lead"].flush_model(
            [
                "active",
                "type",
                "stage_id",
                "company_id",
                "country_id",
                "prm_channel_partner_id",
                "prm_vat_normalized",
                "prm_domain_normalized",
                "prm_name_normalized",
            ]
        )
        self.env["res.partner"].flush_model(
            [
                "active",
                "is_company",
                "customer_rank",
                "company_id",
                "country_id",
                "prm_vat_normalized",
                "prm_domain_normalized",
                "prm_name_normalized",
            ]
        )
        registrations = {registration.id: registration for registration in self}
        vals_list = []
        for match_type, rows in self._prm_conflict_rows():
            for row in rows:
                registration = registrations[row[0]]
                vals = Conflict._prm_conflict_vals(
                    registration,
                    match_type,
                    matched_id=row[1],
                    channel_partner_id=row[2],
                    label=row[3],
                    vat_match=row[4],
                    domain_match=row[5],
                    similarity=float(row[6]),
                    country_ids=(row[7], row[8]),
                    match_count=row[9],
                )
                if vals:
                    vals_list.append(vals)
        return Conflict.create(vals_list)

    def _prm_conflict_query(self):
        """The queries of ``_prm_conflict_queries`` in one statement: their
        rows, then the kind of matched record."""
        return SQL(" UNION ALL ").join(
            SQL("SELECT q.*, %s FROM (%s) AS q", match_type, query)
            for match_type, query in self._prm_conflict_queries().items()
        )

    def _prm_conflict_rows(self):
        """``[(match_type, rows)]`` of the conflict query, in one round trip.

        The trigram index only hands out names similar enough to be scored:
        for the query, the transaction's ``pg_trgm`` threshold (0.3 by
        default) is raised to ``MIN_NAME_SIMILARITY``, then put back.
        """
        cr = self.env.cr
        trigram = self.env.registry.has_trigram
        if trigram:
            cr.execute(
                SQL(
                    "SELECT current_setting('pg_trgm.similarity_threshold', true), "
                    "set_config('pg_trgm.similarity_threshold', %s, true)",
                    str(MIN_NAME_SIMILARITY),
                )
            )
            previous = cr.fetchone()[0] or "0.3"
        cr.execute(self._prm_conflict_query())
        results = defaultdict(list)
        for row in cr.fetchall():
            results[row[-1]].append(row[:-1])
        if trigram:
            cr.execute(
                SQL(
                    "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                    previous,
                )
            )
        return list(results.items())

    def action_check_conflicts(self):
        """Reviewers: score the registrations again, as of now."""
        self._prm_check_reviewer()
        self._prm_check_state(("submitted", "returned"), self.env._("checked"))
        conflicts = self.sudo()._prm_detect_conflicts()
        conflicts.filtered("is_blocking")._prm_notify_channel_managers()
        return True

    # ------------------------------------------------------------------
    # Workflow: review
    # ------------------------------------------------------------------

    def _prm_schedule_review(self):
        summary = self.env._("Review the deal registration")
        # sudo: partners' users cannot read the channel manager's user
        for user, registrations in self.sudo().grouped("user_id").items():
            if user:
                registrations.activity_schedule(
                    "prm_deal_registration.mail_activity_type_deal_review",
                    summary=summary,
                    user_id=user.id,
                )

    def _prm_close_review(self):
        self.activity_feedback(["prm_deal_registration.mail_activity_type_deal_review"])

    def action_approve(self):
        self._prm_check_reviewer()
        self._prm_check_state(("submitted",), self.env._("approved"))
        approved = self.sudo()._prm_approve()
        refused = self - approved
        if refused:
            raise UserError(
                self.env._(
                    "Another registration already protects the customer of "
                    "%(registrations)s: first come, first protected. Reject it, "
                    "or wait until the other protection ends.\n%(holders)s",
                    registrations=", ".join(refused.mapped("name")),
                    holders="\n".join(refused._prm_protection_holders()),
                )
            )
        return True

    def _prm_protection_holders(self):
        """Labels of the approved registrations sharing a customer key."""
        holders = self.sudo().search(
            [
                ("state", "=", "approved"),
                ("id", "not in", self.ids),
                "|",
                "|",
                (
                    "vat_normalized",
                    "in",
                    [v for v in self.mapped("vat_normalized") if v],
                ),
                (
                    "domain_normalized",
                    "in",
                    [d for d in self.mapped("domain_normalized") if d],
                ),
                (
                    "name_normalized",
                    "in",
                    [n for n in self.mapped("name_normalized") if n],
                ),
            ]
        )
        return [
            f"{holder.name} - {holder.customer_name} ({holder.partner_id.name})"
            for holder in holders
        ]

    def _prm_claim_protection(self):
        """Move the registrations to approved in the database, one customer
        key at a time; return those that got the protection.

        The partial unique indexes of ``init`` refuse a second approved
        registration for a customer, also when the first one was committed by
        a concurrent transaction after this one started. The statement runs in
        a savepoint, so a refusal leaves the transaction usable.
        """
        self.env.flush_all()
        claimed = self.browse()
        batches = [self] if len(self) > 1 else []
        batches += [registration for registration in self]
        for batch in batches:
            batch -= claimed
            if not batch:
                continue
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            "UPDATE prm_deal_registration SET state = 'approved' "
                            "WHERE id = ANY(%s)",
                            batch.ids,
                        ),
                        log_exceptions=False,
                    )
            except psycopg2.errors.UniqueViolation:
                continue
            claimed |= batch
        return claimed

    def _prm_protection_days(self):
        self.ensure_one()
        grade = (
            self.partner_id.grade_id
            or self.env["res.partner.grade"].sudo()._prm_entry_tier()
        )
        return grade.prm_protection_days if grade else DEFAULT_PROTECTION_DAYS

    def _prm_approve(self, automatic=False):
        """Approve and protect the registrations that can be: returns them.

        The others (another registration holds the customer) stay submitted;
        when approving automatically, with a conflict for the reviewer (the
        holder committed after this transaction started, so the conflict check
        could not see it).
        """
        self._prm_lock_customer_keys()
        claimed = self._prm_claim_protection()
        lost = self - claimed
        if lost and automatic:
            lost._prm_record_concurrent_conflict()
        if not claimed:
            return claimed
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        by_days = defaultdict(lambda: self.browse())
        for registration in claimed:
            by_days[registration._prm_protection_days()] |= registration
        for days, registrations in by_days.items():
            registrations._prm_transition().write(
                {
                    "state": "approved",
                    "protection_start": today,
                    "protection_end": today + timedelta(days=days),
                    "reminder_sent": False,
                    "date_decided": now,
                    "date_approved": now,
                    "decided_by_id": self.env.user.id,
                    "auto_approved": automatic,
                    "decision_note": False,
                }
            )
        claimed._prm_create_leads()
        claimed._prm_close_review()
        claimed._prm_send_template("mail_template_deal_approved")
        return claimed

    def _prm_record_concurrent_conflict(self):
        Conflict = self.env["prm.deal.conflict"].sudo()
        Conflict.create(
            [
                {
                    "registration_id": registration.id,
                    "match_type": "concurrent",
                    "matched_name": self.env._(
                        "Another registration of this customer was approved at the "
                        "same moment"
                    ),
                    "score": 100,
                    "reasons": self.env._("Concurrent approval"),
                    "is_blocking": True,
                }
                for registration in self
            ]
        )
        for registration in self:
            registration._message_log(
                body=escape(
                    self.env._(
                        "Not approved: another registration obtained the protection "
                        "of this customer at the same moment. Check the conflicts "
                        "again to see it."
                    )
                )
            )
        self._prm_schedule_review()

    def _prm_lead_vals(self):
        self.ensure_one()
        company = self.company_id
        revenue = self.currency_id._convert(
            self.expected_revenue,
            company.currency_id,
            company,
            fields.Date.context_today(self),
        )
        return {
            "name": self.env._(
                "%(customer)s (registration %(reference)s)",
                customer=self.customer_name,
                reference=self.name,
            ),
            "type": "opportunity",
            "partner_name": self.customer_name,
            "contact_name": self.contact_name,
            "email_from": self.contact_email or self.customer_email,
            "phone": self.contact_phone,
            "website": self.customer_website,
            "city": self.customer_city,
            "country_id": self.customer_country_id.id,
            "state_id": self.customer_state_id.id,
            "expected_revenue": revenue,
            "date_deadline": self.date_expected_close,
            "description": plaintext2html(self.description)
            if self.description
            else False,
            "partner_assigned_id": self.partner_id.id,
            "prm_channel_partner_id": self.partner_id.id,
            "user_id": self.user_id.id,
            "company_id": company.id,
        }

    def _prm_create_leads(self):
        """The opportunity of each approved registration, assigned to the
        partner: quotations, orders and invoices made from it carry the
        partner (prm_base attribution)."""
        todo = self.filtered(lambda r: not r.lead_id)
        if not todo:
            return self.env["crm.lead"]
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(mail_create_nosubscribe=True)
            .create([registration._prm_lead_vals() for registration in todo])
        )
        for registration, lead in zip(todo, leads, strict=True):
            registration._prm_transition().lead_id = lead
        return leads

    def action_return(self):
        return self._prm_decision_wizard("return")

    def action_reject(self):
        return self._prm_decision_wizard("reject")

    def _prm_decision_wizard(self, decision):
        self._prm_check_reviewer()
        self._prm_check_state(("submitted",), self.env._("decided on"))
        return {
            "type": "ir.actions.act_window",
            "res_model": "prm.deal.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_registration_ids": self.ids,
                "default_decision": decision,
            },
        }

    def _prm_decide(self, decision, note):
        """Return (for more information) or reject the registrations."""
        self._prm_check_reviewer()
        self._prm_check_state(("submitted",), self.env._("decided on"))
        state = {"return": "returned", "reject": "rejected"}[decision]
        registrations = self.sudo()._prm_transition()
        registrations.write(
            {
                "state": state,
                "decision_note": note,
                "date_decided": fields.Datetime.now(),
                "decided_by_id": self.env.user.id,
            }
        )
        registrations._prm_close_review()
        registrations._prm_send_template(
            "mail_template_deal_returned"
            if state == "returned"
            else "mail_template_deal_rejected"
        )
        return True

    # ------------------------------------------------------------------
    # Protection window: expiry, reminders, extensions, outcome
    # ------------------------------------------------------------------

    def action_expire(self):
        self._prm_check_reviewer()
        self._prm_check_state(("approved",), self.env._("expired"))
        self.sudo()._prm_expire()
        return True

    def _prm_expire(self):
        """End the protection: the customer is free for other partners."""
        self._prm_transition().write({"state": "expired"})
        self.extension_ids.filtered(lambda e: e.state == "requested").write(
            {"state": "refused"}
        )
        self._prm_send_template("mail_template_deal_expired")
        for registration in self.filtered("lead_id"):
            registration.lead_id._message_log(
                body=escape(
                    self.env._(
                        "The protection of registration %s ended.", registration.name
                    )
                )
            )

    @api.model
    def _cron_prm_protection(self):
        """Daily: expire ended protections, remind partners before the end."""
        today = fields.Date.context_today(self)
        expired = self.search(
            [("state", "=", "approved"), ("protection_end", "<", today)]
        )
        expired._prm_expire()
        reminded = self.browse()
        for company in self.env["res.company"].search([]):
            reminded |= self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "approved"),
                    ("reminder_sent", "=", False),
                    (
                        "protection_end",
                        "<=",
                        today + timedelta(days=company.prm_deal_reminder_days),
                    ),
                ]
            )
        reminded._prm_send_template("mail_template_deal_expiring")
        reminded._prm_transition().write({"reminder_sent": True})
        return expired, reminded

    def _prm_sync_lead_outcome(self):
        """Won or lost with the opportunity the registration created."""
        won = self.filtered(lambda r: r.lead_id.active and r.lead_id.stage_id.is_won)
        # Odoo marks a lost opportunity by archiving it
        lost = self.filtered(lambda r: r.lead_id and not r.lead_id.active)
        won._prm_transition().write({"state": "won"})
        lost._prm_transition().write({"state": "lost"})
        (won | lost).extension_ids.filtered(lambda e: e.state == "requested").write(
            {"state": "refused"}
        )
        return won, lost

    def action_request_extension(self, end_date, reason):
        """Ask the channel manager for a longer protection."""
        self.ensure_one()
        self._prm_check_state(("approved",), self.env._("extended"))
        return self.env["prm.deal.extension"].create(
            {
                "registration_id": self.id,
                "requested_end": end_date,
                "reason": reason,
            }
        )

    # ------------------------------------------------------------------
    # Mail, navigation
    # ------------------------------------------------------------------

    def _prm_mail_partner_ids(self):
        """Who a partner-facing mail goes to: the partner's user who
        registered the deal, or the partner company."""
        self.ensure_one()
        submitter = self.submitted_by_id
        if submitter and submitter.share:
            return str(submitter.partner_id.id)
        return str(self.partner_id.id)

    def _prm_send_template(self, xmlid):
        template = self.env.ref(f"prm_deal_registration.{xmlid}", False)
        if not template or not self:
            return
        # a comment from the channel manager: the partner sees it in the
        # portal conversation too
        for user, registrations in self.sudo().grouped("user_id").items():
            registrations.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                **self._prm_mail_author(user.partner_id),
            )

    @api.model
    def _prm_mail_author(self, partner):
        """Composer values making ``partner`` the author of a mail, when it
        has an address (the composer computes both or neither)."""
        if not partner.email:
            return {}
        return {"author_id": partner.id, "email_from": partner.email_formatted}

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        """Partners' users open their registrations in the portal (after
        logging in: the portal pages do not accept access tokens)."""
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        for group_name, _group_method, group_data in groups:
            if group_name in ("portal", "portal_customer"):
                group_data["has_button_access"] = True
        return groups

    def action_view_lead(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "view_mode": "form",
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.name.replace("/", "_")

    def _prm_portal_message(self, body, attachments=None):
        """Post what the partner wrote from the portal form (e.g. its files)."""
        self.ensure_one()
        return self.sudo().message_post(
            body=Markup("<p>%s</p>") % body,
            attachment_ids=attachments.ids if attachments else [],
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
