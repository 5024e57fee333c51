# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DealCommon


@tagged("post_install", "-at_install")
class TestLeadRouting(DealCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Specialization = cls.env["prm.specialization"]
        cls.spec_erp = Specialization.create({"name": "Routing ERP"})
        cls.spec_cloud = Specialization.create({"name": "Routing Cloud"})
        cls.pest = cls.env["res.country.state"].create(
            {"name": "Pest Test", "code": "PSTT", "country_id": cls.hungary.id}
        )
        # only our partners take leads in these tests
        cls.env["res.partner"].search(
            [("prm_state", "=", "active"), ("partner_weight", ">", 0)]
        ).grade_id.write({"partner_weight": 0})
        (cls.tier_bronze | cls.tier_silver | cls.tier_gold).write(
            {"partner_weight": 10}
        )
        cls.tier_gold.partner_weight = 20
        cls.partner_a.write(
            {
                "prm_territory_country_ids": [(6, 0, cls.hungary.ids)],
                "prm_specialization_ids": [(6, 0, cls.spec_erp.ids)],
            }
        )
        cls.partner_b.write(
            {
                "prm_territory_state_ids": [(6, 0, cls.pest.ids)],
                "prm_specialization_ids": [(6, 0, (cls.spec_erp | cls.spec_cloud).ids)],
            }
        )
        cls.partner_gold.write(
            {
                "prm_territory_country_ids": [(6, 0, cls.malaysia.ids)],
                "prm_specialization_ids": [(6, 0, cls.spec_erp.ids)],
            }
        )
        cls.env["prm.lead.routing.rule"].search([]).active = False
        cls.rule = cls.env["prm.lead.routing.rule"].create(
            {
                "name": "ERP leads",
                "specialization_ids": [(6, 0, cls.spec_erp.ids)],
                "min_grade_id": cls.tier_bronze.id,
            }
        )

    @classmethod
    def _lead(cls, name="ERP project", country=None, state=None, **values):
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "lead",
                "partner_name": f"{name} customer",
                "country_id": (country or cls.hungary).id,
                "state_id": state.id if state else False,
                "description": "<p>Needs an ERP</p>",
                **values,
            }
        )

    def _offer(self, lead):
        return lead.prm_offer_ids.filtered(lambda o: o.state == "offered")

    def test_salesman_opens_and_wins_an_offered_lead(self):
        """Salespeople without partner program rights work on routed leads:
        the offers are the channel team's, left out of their form."""
        lead = self._lead(user_id=self.user_sales.id)
        lead.action_prm_route()
        self.assertTrue(lead.prm_offer_ids)
        lead_as_sales = lead.with_user(self.user_sales)
        form = Form(lead_as_sales)
        form.name = "ERP project (won)"
        form.save()
        lead_as_sales.action_set_won()
        self.assertEqual(lead.stage_id, self.stage_won)
        with self.assertRaises(AccessError):
            lead_as_sales.read(["prm_offer_ids"])

    def test_ranking(self):
        lead = self._lead(state=self.pest)
        ranking = lead._prm_rank_candidates()[lead.id]
        partners = [partner for partner, _score, _rule in ranking]
        # B covers the state (30), A the country (20); gold covers Malaysia only
        self.assertEqual(partners, [self.partner_b, self.partner_a])
        scores = {partner: score for partner, score, _rule in ranking}
        self.assertAlmostEqual(scores[self.partner_b] - scores[self.partner_a], 10.0)
        # the rule's weight multiplies the score
        self.rule.weight = 2.0
        doubled = {p: s for p, s, _r in lead._prm_rank_candidates()[lead.id]}
        self.assertAlmostEqual(doubled[self.partner_a], 2 * scores[self.partner_a])
        # minimum tier and specializations filter the candidates
        self.rule.min_grade_id = self.tier_gold
        self.assertFalse(lead._prm_rank_candidates().get(lead.id))
        self.rule.min_grade_id = self.tier_bronze
        self.rule.specialization_ids = self.spec_cloud
        self.assertEqual(
            [p for p, _s, _r in lead._prm_rank_candidates()[lead.id]], [self.partner_b]
        )

    def test_acceptance_rate_and_capacity(self):
        lead = self._lead()
        self.partner_b.prm_territory_country_ids = self.hungary
        # same points: the lower id first
        ranking = [p for p, _s, _r in lead._prm_rank_candidates()[lead.id]]
        self.assertEqual(ranking, [self.partner_a, self.partner_b])
        # A declined its last offers, B accepted its ones: B now ranks first
        Offer = self.env["prm.lead.offer"]
        now = fields.Datetime.now()
        for partner, state in (
            (self.partner_a, "declined"),
            (self.partner_b, "accepted"),
        ):
            for index in range(2):
                Offer.create(
                    {
                        "lead_id": self._lead(f"History {partner.name} {index}").id,
                        "partner_id": partner.id,
                        "deadline": now,
                        "state": state,
                        "offer_date": now - timedelta(hours=4),
                    }
                ).responded_date = now
        ranking = [p for p, _s, _r in lead._prm_rank_candidates()[lead.id]]
        self.assertEqual(ranking, [self.partner_b, self.partner_a])
        # B at its capacity (2 open offers) is skipped
        for index in range(2):
            Offer.create(
                {
                    "lead_id": self._lead(f"Open {index}").id,
                    "partner_id": self.partner_b.id,
                    "deadline": now + timedelta(days=1),
                }
            )
        ranking = [p for p, _s, _r in lead._prm_rank_candidates()[lead.id]]
        self.assertEqual(ranking, [self.partner_a])

    def test_offer_accept(self):
        lead = self._lead(state=self.pest)
        lead.action_prm_route()
        offer = self._offer(lead)
        self.assertEqual(offer.partner_id, self.partner_b)
        self.assertEqual(lead.prm_routing_state, "routing")
        self.assertAlmostEqual(
            offer.deadline,
            offer.offer_date + timedelta(hours=48),
            delta=timedelta(seconds=5),
        )
        self.assertTrue(
            offer.message_ids.filtered(
                lambda m: "New lead for you" in (m.subject or "")
            )
        )
        # what B sees before accepting: the offer, not the lead
        as_b = offer.with_user(self.portal_b_admin)
        self.assertEqual(as_b.lead_name, "ERP project")
        self.assertEqual(as_b.lead_country_id, self.hungary)
        self.assertFalse(
            self.env["crm.lead"]
            .with_user(self.portal_b_admin)
            .search([("id", "=", lead.id)])
        )
        # A's users cannot answer B's offer
        with self.assertRaises(AccessError):
            offer.with_user(self.portal_a_admin).action_accept()
        as_b.action_accept()
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(offer.responded_by_id, self.portal_b_admin)
        self.assertEqual(lead.partner_assigned_id, self.partner_b)
        self.assertEqual(lead.prm_channel_partner_id, self.partner_b)
        self.assertEqual(lead.prm_routing_state, "assigned")
        self.assertIn(
            lead,
            self.env["crm.lead"].with_user(self.portal_b_admin).search([]),
        )
        with self.assertRaises(UserError):
            as_b.action_decline()

    def test_decline_and_reroute(self):
        lead = self._lead(state=self.pest)
        lead.action_prm_route()
        first = self._offer(lead)
        self.assertEqual(first.partner_id, self.partner_b)
        first.with_user(self.portal_b_admin).action_decline("Not our field")
        self.assertEqual(first.state, "declined")
        self.assertEqual(first.decline_reason, "Not our field")
        self.assertIn(self.partner_b, lead.partner_declined_ids)
        self.env["crm.lead"]._cron_prm_route_leads()
        second = self._offer(lead)
        self.assertEqual(second.partner_id, self.partner_a)
        # A lets the deadline pass: too late to accept, the cron times it out
        second.deadline = fields.Datetime.now() - timedelta(minutes=1)
        with self.assertRaises(UserError):
            second.with_user(self.portal_a_admin).action_accept()
        self.env["crm.lead"]._cron_prm_route_leads()
        self.assertEqual(second.state, "expired")
        self.assertIn(self.partner_a, lead.partner_declined_ids)
        # nobody left: the lead is tagged as Odoo does
        self.assertFalse(self._offer(lead))
        self.assertEqual(lead.prm_routing_state, "unassigned")
        self.assertIn(
            self.env.ref(
                "website_crm_partner_assign.tag_portal_lead_partner_unavailable"
            ),
            lead.tag_ids,
        )

    def test_one_open_offer_per_lead(self):
        lead = self._lead()
        lead.action_prm_route()
        offers = lead.prm_offer_ids
        self.assertEqual(len(offers), 1)
        # routing again does nothing while an offer is open
        lead.action_prm_route()
        self.assertEqual(lead.prm_offer_ids, offers)

    def test_odoo_assignment_uses_the_rules(self):
        # geolocated already: Odoo's assignment calls no geocoding service
        lead = self._lead(
            state=self.pest, partner_latitude=47.5, partner_longitude=19.04
        )
        self.assertEqual(lead.search_geo_partner(), {lead.id: self.partner_b.id})
        lead.assign_partner()
        self.assertEqual(lead.partner_assigned_id, self.partner_b)

    def test_kpis(self):
        Offer = self.env["prm.lead.offer"]
        now = fields.Datetime.now()
        for hours, state in (
            (2, "accepted"),
            (4, "accepted"),
            (1, "declined"),
            (0, "expired"),
        ):
            offer = Offer.create(
                {
                    "lead_id": self._lead(f"KPI {hours} {state}").id,
                    "partner_id": self.partner_a.id,
                    "deadline": now,
                    "state": state,
                    "offer_date": now - timedelta(hours=hours),
                }
            )
            if state != "expired":
                offer.responded_date = now
        partners = self.partner_a | self.partner_b
        kpis = partners._prm_compute_kpis()
        self.assertEqual(kpis[self.partner_a.id]["lead_acceptance_rate"], 50.0)
        self.assertAlmostEqual(
            kpis[self.partner_a.id]["lead_time_to_accept_hours"], 3.0
        )
        self.assertEqual(kpis[self.partner_b.id]["lead_acceptance_rate"], 0.0)
        # set-based: one query for the offer statistics, whatever the partners
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self.partner_a._prm_lead_offer_stats()
        one = self.env.cr.sql_log_count - before
        before = self.env.cr.sql_log_count
        (partners | self.partner_gold)._prm_lead_offer_stats()
        self.assertEqual(self.env.cr.sql_log_count - before, one)
        labels = self.env["prm.tier.history"]._kpi_labels()
        self.assertIn("lead_acceptance_rate", labels)
