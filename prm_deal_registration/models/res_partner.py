# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL

from .customer_keys import (
    ensure_trigram_index,
    normalize_domain,
    normalize_name,
    normalize_vat,
)
from .prm_deal_registration import OPEN_STATES


class ResPartner(models.Model):
    _inherit = "res.partner"

    prm_registration_ids = fields.One2many(
        "prm.deal.registration", "partner_id", string="Deal Registrations"
    )
    prm_registration_count = fields.Integer(
        string="Registrations", compute="_compute_prm_registration_count"
    )
    # Scorecard
    prm_registration_open_count = fields.Integer(
        string="Open Registrations", compute="_compute_prm_registration_scorecard"
    )
    prm_registration_won_count = fields.Integer(
        string="Won Registrations", compute="_compute_prm_registration_scorecard"
    )
    prm_registration_win_rate = fields.Float(
        string="Registration Win Rate (%)",
        compute="_compute_prm_registration_scorecard",
        digits=(16, 1),
        help="Won registrations among the won and lost ones.",
    )
    prm_lead_offer_ids = fields.One2many(
        "prm.lead.offer", "partner_id", string="Lead Offers"
    )
    # Keys of companies, compared with registered customers
    prm_vat_normalized = fields.Char(
        string="Tax ID (normalized)",
        compute="_compute_prm_customer_keys",
        store=True,
        index="btree_not_null",
    )
    prm_domain_normalized = fields.Char(
        string="Company Domain",
        compute="_compute_prm_customer_keys",
        store=True,
        index="btree_not_null",
    )
    prm_name_normalized = fields.Char(
        string="Company Name (normalized)",
        compute="_compute_prm_customer_keys",
        store=True,
    )

    def init(self):
        super().init()
        ensure_trigram_index(self.env, self._table, "prm_name_normalized")

    @api.depends("is_company", "name", "vat", "country_id", "website", "email")
    def _compute_prm_customer_keys(self):
        generic = self.env["prm.deal.registration"]._prm_generic_mail_domains()
        companies = self.filtered("is_company")
        (self - companies).update(
            {
                "prm_vat_normalized": False,
                "prm_domain_normalized": False,
                "prm_name_normalized": False,
            }
        )
        for partner in companies:
            partner.prm_vat_normalized = normalize_vat(
                partner.vat, partner.country_id.code
            )
            partner.prm_domain_normalized = normalize_domain(
                partner.website, partner.email, generic_domains=generic
            )
            partner.prm_name_normalized = normalize_name(partner.name)

    def _compute_prm_registration_count(self):
        data = dict(
            self.env["prm.deal.registration"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.prm_registration_count = data.get(partner, 0)

    def _compute_prm_registration_scorecard(self):
        """Open and won registrations and win rate, from one grouped query
        for all the partners (record rules apply)."""
        Registration = self.env["prm.deal.registration"]
        counts = {}
        if Registration.has_access("read") and self._origin.ids:
            for partner, state, count in Registration._read_group(
                [("partner_id", "in", self._origin.ids)],
                ["partner_id", "state"],
                ["__count"],
            ):
                counts[partner.id, state] = count
        for partner in self:
            partner_id = partner._origin.id
            won = counts.get((partner_id, "won"), 0)
            lost = counts.get((partner_id, "lost"), 0)
            partner.prm_registration_open_count = sum(
                counts.get((partner_id, state), 0) for state in OPEN_STATES
            )
            partner.prm_registration_won_count = won
            partner.prm_registration_win_rate = (
                round(100.0 * won / (won + lost), 1) if won + lost else 0.0
            )

    def action_prm_view_registrations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_deal_registration.prm_deal_registration_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Lead distribution KPIs (set-based)
    # ------------------------------------------------------------------

    def _prm_lead_offer_stats(self, date_from=None):
        """``{partner_id: {"acceptance_rate", "time_to_accept_hours",
        "answered"}}`` over the answered or timed-out offers of the partners,
        in one query. ``acceptance_rate`` is a ratio (0-1), ``None`` without
        history."""
        if not self.ids:
            return {}
        Offer = self.env["prm.lead.offer"]
        Offer.flush_model(
            ["partner_id", "state", "offer_date", "responded_date", "response_hours"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE state = 'accepted'),
                       COUNT(*),
                       AVG(response_hours) FILTER (WHERE state = 'accepted')
                  FROM prm_lead_offer
                 WHERE partner_id = ANY(%(ids)s)
                   AND state IN ('accepted', 'declined', 'expired')
                   AND (%(date_from)s::timestamp IS NULL
                        OR offer_date >= %(date_from)s::timestamp)
              GROUP BY partner_id
                """,
                ids=self.ids,
                date_from=fields.Datetime.to_datetime(date_from) if date_from else None,
            )
        )
        return {
            partner_id: {
                "acceptance_rate": accepted / answered if answered else None,
                "time_to_accept_hours": float(hours or 0.0),
                "answered": answered,
            }
            for partner_id, accepted, answered, hours in self.env.cr.fetchall()
        }

    def _prm_compute_kpis(self):
        """Add ``lead_acceptance_rate`` (%) and ``lead_time_to_accept_hours``
        over the KPI period."""
        kpis = super()._prm_compute_kpis()
        stats = self._prm_lead_offer_stats(date_from=self._prm_kpi_period_start())
        for partner_id, values in kpis.items():
            partner_stats = stats.get(partner_id, {})
            rate = partner_stats.get("acceptance_rate")
            values["lead_acceptance_rate"] = (
                round(100.0 * rate, 2) if rate is not None else 0.0
            )
            values["lead_time_to_accept_hours"] = round(
                partner_stats.get("time_to_accept_hours", 0.0), 2
            )
        return kpis

    # ------------------------------------------------------------------
    # Partner dashboard
    # ------------------------------------------------------------------

    def _prm_portal_tiles(self):
        tiles = super()._prm_portal_tiles()
        Registration = self.env["prm.deal.registration"]
        if Registration.has_access("read"):
            counts = dict(
                Registration._read_group(
                    [("partner_id", "=", self.id)], ["state"], ["__count"]
                )
            )
            tiles.append(
                {
                    "sequence": 20,
                    "name": self.env._("Protected deals"),
                    "value": str(counts.get("approved", 0)),
                    "url": "/my/deals?filterby=approved",
                    "icon": "fa-shield",
                    "hint": self.env._(
                        "%s waiting for review", counts.get("submitted", 0)
                    )
                    if counts.get("submitted")
                    else False,
                }
            )
        Offer = self.env["prm.lead.offer"]
        if Offer.has_access("read"):
            open_offers = Offer.search_count(
                [("partner_id", "=", self.id), ("state", "=", "offered")]
            )
            tiles.append(
                {
                    "sequence": 25,
                    "name": self.env._("Leads offered to you"),
                    "value": str(open_offers),
                    "url": "/my/leads/offers",
                    "icon": "fa-handshake-o",
                }
            )
        return sorted(tiles, key=lambda tile: tile["sequence"])
