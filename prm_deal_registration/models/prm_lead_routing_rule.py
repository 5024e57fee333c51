# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

# Points of a candidate partner for a lead (before the rule's weight).
TERRITORY_STATE_POINTS = 30
TERRITORY_COUNTRY_POINTS = 20
HOME_COUNTRY_POINTS = 10
NO_COUNTRY_POINTS = 5
SPECIALIZATION_POINTS = 20
ACCEPTANCE_POINTS = 30
NEUTRAL_ACCEPTANCE_RATE = 0.5  # partners without offer history
LOAD_PENALTY = 5  # per unanswered offer the partner already has


class PrmLeadRoutingRule(models.Model):
    _name = "prm.lead.routing.rule"
    _description = "Lead Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Route the leads of this team only; all teams when empty.",
    )
    country_ids = fields.Many2many(
        "res.country",
        "prm_lead_routing_rule_country_rel",
        "rule_id",
        "country_id",
        string="Countries",
        help="Leads from these countries; all countries when empty.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        "prm_lead_routing_rule_state_rel",
        "rule_id",
        "state_id",
        string="States",
        help="Leads from these states; all states when empty.",
    )
    specialization_ids = fields.Many2many(
        "prm.specialization",
        "prm_lead_routing_rule_specialization_rel",
        "rule_id",
        "specialization_id",
        string="Specializations",
        help="Candidates need at least one of these specializations.",
    )
    min_grade_id = fields.Many2one(
        "res.partner.grade",
        string="Minimum Tier",
        help="Candidates need this tier or a better one.",
    )
    weight = fields.Float(
        default=1.0,
        help="Multiplies the score of the partners this rule finds: when several "
        "rules match a lead, the heavier one counts most.",
    )

    _sql_constraints = [
        ("weight_positive", "CHECK(weight > 0)", "The weight must be positive."),
    ]

    def _prm_matches_lead(self, lead):
        self.ensure_one()
        if self.company_id and lead.company_id and lead.company_id != self.company_id:
            return False
        if self.team_id and lead.team_id != self.team_id:
            return False
        if self.country_ids and lead.country_id not in self.country_ids:
            return False
        if self.state_ids and lead.state_id not in self.state_ids:
            return False
        return True

    def _prm_partner_points(self, lead, partner, acceptance_rate, load):
        """Score of ``partner`` for ``lead`` through this rule, or ``None``
        when the partner is no candidate. Pure Python on prefetched data."""
        self.ensure_one()
        if (
            self.company_id
            and partner.company_id
            and partner.company_id != self.company_id
        ):
            return None
        if self.min_grade_id and (
            partner.grade_id.prm_rank < self.min_grade_id.prm_rank
        ):
            return None
        specialization_points = 0.0
        if self.specialization_ids:
            shared = self.specialization_ids & partner.prm_specialization_ids
            if not shared:
                return None
            specialization_points = (
                SPECIALIZATION_POINTS * len(shared) / len(self.specialization_ids)
            )
        territory_points = self._prm_territory_points(lead, partner)
        if not territory_points:
            return None
        rate = NEUTRAL_ACCEPTANCE_RATE if acceptance_rate is None else acceptance_rate
        points = (
            territory_points
            + specialization_points
            + partner.partner_weight
            + ACCEPTANCE_POINTS * rate
            - LOAD_PENALTY * load
        )
        return self.weight * points

    def _prm_territory_points(self, lead, partner):
        if not lead.country_id:
            return NO_COUNTRY_POINTS
        if lead.state_id and lead.state_id in partner.prm_territory_state_ids:
            return TERRITORY_STATE_POINTS
        if lead.country_id in partner.prm_territory_country_ids:
            return TERRITORY_COUNTRY_POINTS
        if (
            not partner.prm_territory_country_ids
            and not partner.prm_territory_state_ids
            and partner.country_id == lead.country_id
        ):
            return HOME_COUNTRY_POINTS
        return 0
