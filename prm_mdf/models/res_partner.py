# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import format_amount


class ResPartner(models.Model):
    _inherit = "res.partner"

    prm_mdf_allocation_ids = fields.One2many(
        "prm.mdf.allocation", "partner_id", string="Fund Allocations"
    )
    prm_mdf_request_count = fields.Integer(
        string="Fund Requests", compute="_compute_prm_mdf_request_count"
    )

    def _compute_prm_mdf_request_count(self):
        Request = self.env["prm.mdf.request"]
        data = {}
        if Request.has_access("read"):
            data = dict(
                Request._read_group(
                    [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
                )
            )
        for partner in self:
            partner.prm_mdf_request_count = data.get(partner, 0)

    def _prm_mdf_open_allocations(self):
        """The partner's active allocations in open periods (record rules
        apply)."""
        self.ensure_one()
        Allocation = self.env["prm.mdf.allocation"]
        if not Allocation.has_access("read"):
            return Allocation
        return Allocation.search(
            [
                ("partner_id", "=", self.id),
                ("state", "=", "active"),
                ("period_id.state", "=", "open"),
            ]
        )

    def _prm_portal_tiles(self):
        """Add the remaining market development funds."""
        tiles = super()._prm_portal_tiles()
        allocations = self._prm_mdf_open_allocations()
        if allocations:
            balances = allocations._prm_balances()
            currency = allocations[:1].currency_id
            remaining = sum(balances[a.id]["remaining"] for a in allocations)
            tiles.append(
                {
                    "sequence": 40,
                    "name": self.env._("Remaining Funds"),
                    "value": format_amount(self.env, remaining, currency),
                    "url": "/my/funds",
                    "icon": "fa-money",
                }
            )
            tiles.sort(key=lambda tile: tile["sequence"])
        return tiles

    def action_prm_view_mdf_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_mdf.prm_mdf_request_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
