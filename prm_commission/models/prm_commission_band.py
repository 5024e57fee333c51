# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PrmCommissionBand(models.Model):
    _name = "prm.commission.band"
    _description = "Commission Volume Band"
    _order = "rule_id, amount_from, id"

    rule_id = fields.Many2one(
        "prm.commission.rule",
        string="Rule",
        required=True,
        ondelete="cascade",
        index=True,
    )
    currency_id = fields.Many2one(related="rule_id.currency_id", string="Currency")
    amount_from = fields.Monetary(
        string="From", help="Period volume (untaxed, company currency) from."
    )
    amount_to = fields.Monetary(
        string="To", help="Period volume up to this amount (0: no upper limit)."
    )
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 4),
        help="Rate earned by the slice of volume inside this band.",
    )

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK(amount_from >= 0 AND amount_to >= 0 AND rate >= 0 AND rate <= 100)",
            "Band amounts cannot be negative and rates must be between 0 and 100%.",
        ),
        (
            "amounts_ordered",
            "CHECK(amount_to = 0 OR amount_to > amount_from)",
            "A band must end above where it starts.",
        ),
    ]

    @api.constrains("amount_from", "amount_to", "rule_id")
    def _check_no_overlap(self):
        for rule in self.rule_id:
            bands = rule.band_ids.sorted("amount_from")
            for band, following in zip(bands, bands[1:], strict=False):
                if not band.amount_to or band.amount_to > following.amount_from:
                    raise ValidationError(
                        self.env._(
                            "The volume bands of %s overlap: a band must end "
                            "where the next one starts at the latest.",
                            rule.name,
                        )
                    )
