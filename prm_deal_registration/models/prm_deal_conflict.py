# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models

# Conflict score, 0-100: evidence that two records are the same customer.
SCORE_VAT = 70
SCORE_DOMAIN = 50
SCORE_NAME = 50  # times the trigram similarity of the names
MIN_NAME_SIMILARITY = 0.5
COUNTRY_BONUS = 10
COUNTRY_PENALTY = 20
# Per registration and kind of matched record, every tax ID or domain match is
# kept, and the best-scored of the matches on the name alone (``match_count``
# keeps the total): a common name matches hundreds of records that a reviewer
# would not read, and the best ones decide the score anyway.
MAX_NAME_MATCHES = 10

MATCH_TYPES = [
    ("registration", "Registration of another partner"),
    ("lead", "Open opportunity"),
    ("customer", "Existing customer"),
    ("concurrent", "Concurrent approval"),
]


class PrmDealConflict(models.Model):
    _name = "prm.deal.conflict"
    _description = "Deal Registration Conflict"
    _order = "score desc, id"
    _rec_name = "matched_name"

    registration_id = fields.Many2one(
        "prm.deal.registration",
        string="Registration",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="registration_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="registration_id.partner_id", store=True, string="Partner"
    )
    match_type = fields.Selection(MATCH_TYPES, string="Matched", required=True)
    matched_registration_id = fields.Many2one(
        "prm.deal.registration",
        string="Matched Registration",
        ondelete="cascade",
        index="btree_not_null",
    )
    matched_lead_id = fields.Many2one(
        "crm.lead",
        string="Matched Opportunity",
        ondelete="cascade",
        index="btree_not_null",
    )
    matched_partner_id = fields.Many2one(
        "res.partner",
        string="Matched Customer",
        ondelete="cascade",
        index="btree_not_null",
    )
    matched_channel_partner_id = fields.Many2one(
        "res.partner",
        string="Other Channel Partner",
        help="The program partner behind the matched registration or opportunity.",
    )
    matched_ref = fields.Reference(
        [
            ("prm.deal.registration", "Registration"),
            ("crm.lead", "Opportunity"),
            ("res.partner", "Customer"),
        ],
        string="Matched Record",
        compute="_compute_matched_ref",
    )
    matched_name = fields.Char(string="Matched Record Name", readonly=True)
    score = fields.Integer(readonly=True, aggregator="max")
    reasons = fields.Char(readonly=True)
    vat_match = fields.Boolean(string="Same Tax ID", readonly=True)
    domain_match = fields.Boolean(string="Same Domain", readonly=True)
    name_similarity = fields.Float(digits=(3, 2), readonly=True)
    country_match = fields.Selection(
        [("same", "Same"), ("different", "Different"), ("unknown", "Unknown")],
        string="Country",
        readonly=True,
    )
    match_count = fields.Integer(
        string="Matches Found",
        readonly=True,
        aggregator="max",
        help="How many records of this kind match the registration. Every tax "
        "ID and domain match is listed; of the matches on the name alone, only "
        "the best-scored ones.",
    )
    is_blocking = fields.Boolean(
        string="Above Threshold",
        readonly=True,
        help="The score reached the conflict threshold of the company: the "
        "registration needs a manual review.",
    )

    @api.depends("matched_registration_id", "matched_lead_id", "matched_partner_id")
    def _compute_matched_ref(self):
        for conflict in self:
            record = (
                conflict.matched_registration_id
                or conflict.matched_lead_id
                or conflict.matched_partner_id
            )
            conflict.matched_ref = f"{record._name},{record.id}" if record else False

    @api.model
    def _prm_score(self, vat_match, domain_match, similarity, country_ids):
        """``(score, reasons, country_match)`` of one match."""
        score = 0
        reasons = []
        if vat_match:
            score += SCORE_VAT
            reasons.append(self.env._("same tax ID"))
        if domain_match:
            score += SCORE_DOMAIN
            reasons.append(self.env._("same domain"))
        if similarity >= MIN_NAME_SIMILARITY:
            score += round(SCORE_NAME * similarity)
            reasons.append(self.env._("similar name (%s%%)", round(100 * similarity)))
        if not score:
            return 0, "", False
        matched_country, own_country = country_ids
        if not matched_country or not own_country:
            country_match = "unknown"
        elif matched_country == own_country:
            country_match = "same"
            score += COUNTRY_BONUS
            reasons.append(self.env._("same country"))
        else:
            country_match = "different"
            score -= COUNTRY_PENALTY
            reasons.append(self.env._("different country"))
        return max(0, min(100, score)), ", ".join(reasons), country_match

    @api.model
    def _prm_conflict_vals(
        self,
        registration,
        match_type,
        matched_id,
        channel_partner_id,
        label,
        vat_match,
        domain_match,
        similarity,
        country_ids,
        match_count=0,
    ):
        score, reasons, country_match = self._prm_score(
            vat_match, domain_match, similarity, country_ids
        )
        if not score:
            return None
        field_name = {
            "registration": "matched_registration_id",
            "lead": "matched_lead_id",
            "customer": "matched_partner_id",
        }[match_type]
        return {
            "registration_id": registration.id,
            # the related fields, given: no update after the insert
            "company_id": registration.company_id.id,
            "partner_id": registration.partner_id.id,
            "match_type": match_type,
            field_name: matched_id,
            "matched_channel_partner_id": channel_partner_id,
            "matched_name": label,
            "score": score,
            "reasons": reasons,
            "vat_match": vat_match,
            "domain_match": domain_match,
            "name_similarity": similarity,
            "country_match": country_match,
            "match_count": match_count,
            "is_blocking": score >= registration.company_id.prm_deal_conflict_threshold,
        }

    def _prm_notify_channel_managers(self):
        """An activity for the channel manager of each side of the conflicts.

        The registration's channel manager reviews it; the other side's
        manager (of the other registration's partner, the opportunity's channel
        partner or salesperson, the customer's salesperson) is told on their
        own record.
        """
        activity_type = self.env.ref(
            "prm_deal_registration.mail_activity_type_deal_conflict"
        )
        models = self.env["ir.model"].sudo()
        today = fields.Date.context_today(self)
        seen = set()
        vals_list = []

        def add(record, user, note):
            if not record or not user or user.share:
                return
            key = (record._name, record.id, user.id)
            if key in seen:
                return
            seen.add(key)
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": models._get_id(record._name),
                    "res_id": record.id,
                    "user_id": user.id,
                    "summary": self.env._("Possible channel conflict"),
                    "note": note,
                    "date_deadline": today,
                }
            )

        for conflict in self.sudo():
            registration = conflict.registration_id
            note = Markup("<p>%s</p>") % self.env._(
                "%(registration)s of %(partner)s matches %(matched)s "
                "(score %(score)s: %(reasons)s).",
                registration=registration.display_name,
                partner=registration.partner_id.name,
                matched=conflict.matched_name,
                score=conflict.score,
                reasons=conflict.reasons,
            )
            add(registration, registration.user_id, note)
            if conflict.matched_registration_id:
                other = conflict.matched_registration_id
                add(other, other.user_id, note)
            elif conflict.matched_lead_id:
                lead = conflict.matched_lead_id
                add(
                    lead,
                    lead.prm_channel_partner_id.prm_channel_manager_id or lead.user_id,
                    note,
                )
            elif conflict.matched_partner_id:
                add(registration, conflict.matched_partner_id.user_id, note)
        return self.env["mail.activity"].sudo().create(vals_list)
