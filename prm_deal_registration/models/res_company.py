# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    prm_deal_conflict_threshold = fields.Integer(
        string="Deal Conflict Threshold",
        default=50,
        help="A match scoring at least this much (0-100) is a conflict: the "
        "registration waits for a manual review.",
    )
    prm_deal_reminder_days = fields.Integer(
        string="Deal Expiry Reminder (days)",
        default=14,
        help="The partner is reminded this many days before the protection of "
        "a registered deal ends.",
    )
    prm_lead_offer_hours = fields.Integer(
        string="Lead Offer Deadline (hours)",
        default=48,
        help="Time a partner has to accept or decline a lead offered to it.",
    )
    prm_lead_offer_capacity = fields.Integer(
        string="Max. Open Lead Offers per Partner",
        default=5,
        help="Partners with this many unanswered lead offers get no new ones.",
    )

    _sql_constraints = [
        (
            "prm_deal_settings_positive",
            "CHECK(prm_deal_conflict_threshold >= 0 AND prm_deal_reminder_days >= 0 "
            "AND prm_lead_offer_hours > 0 AND prm_lead_offer_capacity > 0)",
            "Deal registration and lead distribution settings must be positive.",
        ),
    ]
