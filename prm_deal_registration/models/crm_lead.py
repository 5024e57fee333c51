# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .customer_keys import (
    ensure_trigram_index,
    normalize_domain,
    normalize_name,
    normalize_vat,
)

# crm.lead fields whose change can win or lose the opportunity
OUTCOME_FIELDS = {"stage_id", "active", "probability"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    prm_registration_ids = fields.One2many(
        "prm.deal.registration", "lead_id", string="Deal Registrations"
    )
    prm_registration_count = fields.Integer(
        string="Registrations", compute="_compute_prm_registration_count"
    )
    # the channel team's: salespeople without partner program rights open and
    # win leads without reading the offers
    prm_offer_ids = fields.One2many(
        "prm.lead.offer",
        "lead_id",
        string="Partner Offers",
        groups="prm_base.group_prm_user",
    )
    prm_routing_state = fields.Selection(
        [
            ("routing", "Offered to partners"),
            ("assigned", "Accepted by a partner"),
            ("unassigned", "No partner available"),
        ],
        string="Partner Routing",
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    prm_vat_normalized = fields.Char(
        string="Customer Tax ID (normalized)",
        compute="_compute_prm_customer_keys",
        store=True,
        index="btree_not_null",
    )
    prm_domain_normalized = fields.Char(
        string="Customer Domain",
        compute="_compute_prm_customer_keys",
        store=True,
        index="btree_not_null",
    )
    prm_name_normalized = fields.Char(
        string="Customer Name (normalized)",
        compute="_compute_prm_customer_keys",
        store=True,
    )

    def _prm_registered_by(self, partner):
        """An approved (or won) registration of ``partner`` created this deal."""
        self.ensure_one()
        return super()._prm_registered_by(partner) or any(
            registration.partner_id == partner
            and registration.state in ("approved", "won")
            for registration in self.prm_registration_ids
        )

    def init(self):
        super().init()
        ensure_trigram_index(self.env, self._table, "prm_name_normalized")

    @api.depends(
        "partner_name",
        "website",
        "email_from",
        "country_id",
        "partner_id.commercial_partner_id.name",
        "partner_id.commercial_partner_id.vat",
    )
    def _compute_prm_customer_keys(self):
        generic = self.env["prm.deal.registration"]._prm_generic_mail_domains()
        for lead in self:
            commercial = lead.partner_id.commercial_partner_id
            country = lead.country_id or commercial.country_id
            lead.prm_vat_normalized = normalize_vat(commercial.vat, country.code)
            lead.prm_domain_normalized = normalize_domain(
                lead.website, lead.email_from, generic_domains=generic
            )
            lead.prm_name_normalized = normalize_name(
                lead.partner_name
                or (commercial.is_company and commercial.name)
                or False
            )

    def _compute_prm_registration_count(self):
        data = dict(
            self.env["prm.deal.registration"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.prm_registration_count = data.get(lead, 0)

    def write(self, vals):
        res = super().write(vals)
        if OUTCOME_FIELDS & set(vals):
            self._prm_sync_registrations()
        return res

    def _prm_sync_registrations(self):
        registrations = (
            self.env["prm.deal.registration"]
            .sudo()
            .search(
                [("lead_id", "in", self.ids), ("state", "in", ("approved", "expired"))]
            )
        )
        if registrations:
            registrations._prm_sync_lead_outcome()

    def action_prm_view_registrations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_deal_registration.prm_deal_registration_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Lead distribution
    # ------------------------------------------------------------------

    def action_prm_route(self):
        """Button: offer the leads to the best partner, one at a time."""
        self.check_access("write")
        leads = self.filtered(
            lambda lead: (
                lead.active
                and not lead.partner_assigned_id
                and not lead.sudo().prm_offer_ids.filtered(
                    lambda o: o.state == "offered"
                )
            )
        )
        leads.sudo()._prm_route()
        return True

    def _prm_candidate_pool(self):
        """Program partners that take leads: active members with a tier whose
        weight is not 0 (Odoo's "no assignment" level)."""
        return (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("prm_state", "=", "active"),
                    ("is_company", "=", True),
                    ("partner_weight", ">", 0),
                ]
            )
        )

    def _prm_rank_candidates(self, pool=None, loads=None):
        """``{lead_id: [(partner, score, rule), ...]}`` best first, for the
        leads some routing rule matches.

        Candidates: active program partners with a non-zero tier weight that
        satisfy the rule (minimum tier, specializations), cover the lead's
        territory, were not offered the lead before, did not decline it and
        have room for one more open offer. A fixed number of queries whatever
        the number of leads and partners.
        """
        Rule = self.env["prm.lead.routing.rule"].sudo()
        rules = Rule.search([])
        if not self or not rules:
            return {}
        pool = self._prm_candidate_pool() if pool is None else pool
        Offer = self.env["prm.lead.offer"].sudo()
        if loads is None:
            loads = dict(
                (partner.id, count)
                for partner, count in Offer._read_group(
                    [("state", "=", "offered"), ("partner_id", "in", pool.ids)],
                    ["partner_id"],
                    ["__count"],
                )
            )
        offered = defaultdict(set)
        for lead, partner in Offer._read_group(
            [("lead_id", "in", self.ids)], ["lead_id", "partner_id"]
        ):
            offered[lead.id].add(partner.id)
        rates = pool._prm_lead_offer_stats(date_from=pool._prm_kpi_period_start())
        ranking = {}
        for lead in self:
            matching = rules.filtered(
                lambda rule, lead=lead: rule._prm_matches_lead(lead)
            )
            if not matching:
                continue
            capacity = (lead.company_id or self.env.company).prm_lead_offer_capacity
            excluded = offered[lead.id] | set(lead.partner_declined_ids.ids)
            best = {}
            for partner in pool:
                load = loads.get(partner.id, 0)
                if partner.id in excluded or load >= capacity:
                    continue
                rate = rates.get(partner.id, {}).get("acceptance_rate")
                for rule in matching:
                    score = rule._prm_partner_points(lead, partner, rate, load)
                    if score is not None and (
                        partner not in best or score > best[partner][0]
                    ):
                        best[partner] = (score, rule)
            ranking[lead.id] = sorted(
                ((partner, score, rule) for partner, (score, rule) in best.items()),
                key=lambda item: (-item[1], -item[0].partner_weight, item[0].id),
            )
        return ranking

    def search_geo_partner(self):
        """Odoo's automatic partner assignment: the routing rules decide for
        the leads they match, Odoo's geographic search for the others."""
        ranking = self._prm_rank_candidates()
        routed = self.filtered(lambda lead: ranking.get(lead.id))
        result = super(CrmLead, self - routed).search_geo_partner()
        for lead in routed:
            result[lead.id] = ranking[lead.id][0][0].id
        return result

    def _prm_assign_partner(self, partner):
        """Assign the lead to ``partner`` with Odoo's partner assignment.

        Odoo geolocates the lead on assignment and fails when the geocoding
        service cannot be reached; the partner has accepted the lead, so it is
        assigned all the same then, as ``assign_partner`` does minus the
        geolocation.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.assign_partner(partner_id=partner.id)
        except UserError:
            if partner.user_id:
                self._handle_salesmen_assignment(user_ids=partner.user_id.ids)
            self.write({"partner_assigned_id": partner.id})
        return True

    def _prm_route(self):
        """Offer each lead to its best candidate with a deadline.

        Leads no rule matches fall back to Odoo's geographic search when they
        are geolocated already (no geocoding call from here). Leads without any
        candidate left are tagged as Odoo does when no partner is available.
        """
        pool = self._prm_candidate_pool()
        Offer = self.env["prm.lead.offer"].sudo()
        loads = defaultdict(int)
        for partner, count in Offer._read_group(
            [("state", "=", "offered"), ("partner_id", "in", pool.ids)],
            ["partner_id"],
            ["__count"],
        ):
            loads[partner.id] = count
        ranking = self._prm_rank_candidates(pool=pool, loads=loads)
        fallback = self.filtered(
            lambda lead: (
                not ranking.get(lead.id)
                and lead.partner_latitude
                and lead.partner_longitude
            )
        )
        geo = super(CrmLead, fallback).search_geo_partner() if fallback else {}
        now = fields.Datetime.now()
        vals_list = []
        unassigned = self.browse()
        for lead in self:
            capacity = (lead.company_id or self.env.company).prm_lead_offer_capacity
            candidates = [
                item
                for item in ranking.get(lead.id, [])
                if loads[item[0].id] < capacity
            ]
            if not candidates and geo.get(lead.id):
                partner = pool.filtered(lambda p, pid=geo[lead.id]: p.id == pid)
                if partner and loads[partner.id] < capacity:
                    candidates = [(partner, 0.0, self.env["prm.lead.routing.rule"])]
            if not candidates:
                unassigned |= lead
                continue
            partner, score, rule = candidates[0]
            loads[partner.id] += 1
            company = lead.company_id or self.env.company
            vals_list.append(
                {
                    "lead_id": lead.id,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "deadline": now + timedelta(hours=company.prm_lead_offer_hours),
                    "score": score,
                    "rule_id": rule.id,
                }
            )
        offers = Offer.create(vals_list)
        offers.lead_id.write({"prm_routing_state": "routing"})
        offers._prm_send_offer_mail()
        if unassigned:
            values = {"prm_routing_state": "unassigned"}
            tag = self.env.ref(
                "website_crm_partner_assign.tag_portal_lead_partner_unavailable", False
            )
            if tag:
                values["tag_ids"] = [fields.Command.link(tag.id)]
            unassigned.write(values)
        return offers

    @api.model
    def _cron_prm_route_leads(self):
        """Time out unanswered offers, then offer the leads still waiting for
        a partner (declined or timed out) to the next candidate."""
        Offer = self.env["prm.lead.offer"]
        late = Offer.search(
            [("state", "=", "offered"), ("deadline", "<", fields.Datetime.now())]
        )
        late._prm_expire()
        waiting = self.search(
            [
                ("prm_routing_state", "=", "routing"),
                ("partner_assigned_id", "=", False),
                ("prm_offer_ids", "not any", [("state", "=", "offered")]),
            ]
        )
        return waiting._prm_route()
