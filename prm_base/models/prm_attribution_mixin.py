# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class PrmAttributionMixin(models.AbstractModel):
    """The channel partner a sales document is attributed to.

    Opportunities, quotations/orders and customer invoices carry it; each model
    computes it from its source (assigned partner, opportunity, customer) and
    users may set it by hand.
    """

    _name = "prm.attribution.mixin"
    _description = "Channel Partner Attribution"

    prm_channel_partner_id = fields.Many2one(
        "res.partner",
        string="Channel Partner",
        compute="_compute_prm_channel_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index="btree_not_null",
        domain=[("prm_state", "!=", False)],
        help="Program partner this document is attributed to. Revenue, tiers, "
        "commissions and funds read it; it flows from the opportunity to the "
        "quotation, the order and the invoices.",
    )

    def _compute_prm_channel_partner_id(self):
        raise NotImplementedError
