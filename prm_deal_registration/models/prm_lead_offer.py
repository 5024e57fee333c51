# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL


class PrmLeadOffer(models.Model):
    _name = "prm.lead.offer"
    _description = "Lead Offered to a Partner"
    _inherit = ["portal.mixin", "mail.thread"]
    _order = "offer_date desc, id desc"
    _check_company_auto = True
    _rec_name = "lead_name"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        required=True,
        index=True,
        domain=[("prm_state", "!=", False)],
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [
            ("offered", "Offered"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
            ("expired", "Timed Out"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        default="offered",
        required=True,
        index=True,
        tracking=True,
    )
    offer_date = fields.Datetime(
        string="Offered On", default=fields.Datetime.now, required=True, readonly=True
    )
    deadline = fields.Datetime(required=True, tracking=True)
    responded_date = fields.Datetime(string="Answered On", readonly=True)
    responded_by_id = fields.Many2one("res.users", string="Answered By", readonly=True)
    response_hours = fields.Float(
        string="Response Time (hours)",
        compute="_compute_response_hours",
        store=True,
        aggregator="avg",
    )
    decline_reason = fields.Char(readonly=True)
    rule_id = fields.Many2one(
        "prm.lead.routing.rule", string="Routing Rule", ondelete="set null"
    )
    score = fields.Float(string="Routing Score", digits=(16, 1), readonly=True)
    # What the partner sees of the lead before accepting it (the lead itself
    # is out of its reach until then).
    lead_name = fields.Char(related="lead_id.name", string="Lead Title")
    lead_partner_name = fields.Char(
        related="lead_id.partner_name", string="Customer Company"
    )
    lead_city = fields.Char(related="lead_id.city", string="City")
    lead_state_id = fields.Many2one(related="lead_id.state_id", string="State")
    lead_country_id = fields.Many2one(related="lead_id.country_id", string="Country")
    lead_description = fields.Html(related="lead_id.description", string="Details")
    lead_expected_revenue = fields.Monetary(
        related="lead_id.expected_revenue", string="Expected Revenue"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        (
            "lead_partner_unique",
            "unique(lead_id, partner_id)",
            "A lead is offered once to a partner.",
        ),
    ]

    def init(self):
        """At most one open offer per lead, in the database: the routing cron
        and a partner declining at the same moment cannot both offer it."""
        super().init()
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (lead_id) "
                "WHERE state = 'offered'",
                SQL.identifier("prm_lead_offer_open_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.depends("responded_date", "offer_date")
    def _compute_response_hours(self):
        for offer in self:
            offer.response_hours = (
                (offer.responded_date - offer.offer_date).total_seconds() / 3600.0
                if offer.responded_date
                else 0.0
            )

    @api.depends("lead_name", "partner_id")
    def _compute_display_name(self):
        for offer in self:
            offer.display_name = f"{offer.lead_name} - {offer.partner_id.name}"

    # ------------------------------------------------------------------
    # Partner answers (portal)
    # ------------------------------------------------------------------

    def _prm_check_answer(self):
        """The partner's own portal users, or the channel team, answer."""
        self.ensure_one()
        self.check_access("read")
        user = self.env.user
        if user._is_portal():
            if user._prm_portal_partner() != self.partner_id:
                raise AccessError(self.env._("This lead was not offered to you."))
        elif not user.has_group("prm_base.group_prm_user"):
            raise AccessError(
                self.env._("Only the partner or the channel team answer an offer.")
            )
        if self.state != "offered":
            raise UserError(self.env._("This offer is no longer open."))
        if self.deadline < fields.Datetime.now():
            raise UserError(self.env._("The deadline to answer this offer has passed."))

    def _prm_answer_vals(self, state):
        return {
            "state": state,
            "responded_date": fields.Datetime.now(),
            "responded_by_id": self.env.user.id,
        }

    def action_accept(self):
        """The partner takes the lead: Odoo's partner assignment follows."""
        self._prm_check_answer()
        offer = self.sudo()
        offer.write(offer._prm_answer_vals("accepted"))
        lead = offer.lead_id
        lead._prm_assign_partner(offer.partner_id)
        lead.prm_routing_state = "assigned"
        lead.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "%(partner)s accepted the lead (%(user)s).",
                partner=offer.partner_id.name,
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_decline(self, reason=None):
        """The partner passes: the routing offers the lead to the next one."""
        self._prm_check_answer()
        offer = self.sudo()
        offer.write(dict(offer._prm_answer_vals("declined"), decline_reason=reason))
        offer._prm_mark_partner_declined()
        offer.lead_id.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "%(partner)s declined the lead: %(reason)s",
                partner=offer.partner_id.name,
                reason=reason or self.env._("no reason given"),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.env.ref("prm_deal_registration.ir_cron_prm_route_leads").sudo()._trigger()
        return True

    def _prm_mark_partner_declined(self):
        """Record the partner as not interested, as Odoo's partner assignment
        does, so that no assignment offers it the lead again."""
        for offer in self:
            offer.lead_id.partner_declined_ids = [
                fields.Command.link(offer.partner_id.id)
            ]

    def _prm_expire(self):
        self.write({"state": "expired"})
        self._prm_mark_partner_declined()

    def action_cancel(self):
        self.filtered(lambda o: o.state == "offered").write({"state": "cancelled"})
        return True

    def _prm_send_offer_mail(self):
        template = self.env.ref(
            "prm_deal_registration.mail_template_lead_offered", False
        )
        if template and self:
            Registration = self.env["prm.deal.registration"]
            for offer in self.sudo():
                offer.message_post_with_source(
                    template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    **Registration._prm_mail_author(
                        offer.partner_id.prm_channel_manager_id.partner_id
                    ),
                )

    def _prm_mail_partner_ids(self):
        """The partner company and its portal users with a program role."""
        self.ensure_one()
        users = (
            self.partner_id.sudo().user_ids | self.partner_id.sudo().child_ids.user_ids
        )
        partners = (
            self.partner_id
            | users.filtered(lambda u: u.share and u._prm_portal_role()).partner_id
        )
        return ",".join(str(pid) for pid in partners.ids)

    def _compute_access_url(self):
        super()._compute_access_url()
        for offer in self:
            offer.access_url = f"/my/leads/offers#prm_offer_{offer.id}"

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        for group_name, _group_method, group_data in groups:
            if group_name in ("portal", "portal_customer"):
                group_data["has_button_access"] = True
        return groups
