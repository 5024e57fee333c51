# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import fields, models
from odoo.tools import format_amount

from .prm_mdf_allocation import BALANCE_KEYS


class ResPartner(models.Model):
    _inherit = "res.partner"

    prm_mdf_allocation_ids = fields.One2many(
        "prm.mdf.allocation", "partner_id", string="Fund Allocations"
    )
    prm_mdf_request_count = fields.Integer(
        string="Fund Requests", compute="_compute_prm_mdf_request_count"
    )

    # Scorecard: the partner's funds in the open periods of the current company
    prm_mdf_currency_id = fields.Many2one(
        "res.currency", string="Funds Currency", compute="_compute_prm_mdf_scorecard"
    )
    prm_mdf_amount_allocated = fields.Monetary(
        string="Funds Allocated",
        currency_field="prm_mdf_currency_id",
        compute="_compute_prm_mdf_scorecard",
    )
    prm_mdf_amount_remaining = fields.Monetary(
        string="Funds Remaining",
        currency_field="prm_mdf_currency_id",
        compute="_compute_prm_mdf_scorecard",
    )
    prm_mdf_amount_paid = fields.Monetary(
        string="Funds Paid",
        currency_field="prm_mdf_currency_id",
        compute="_compute_prm_mdf_scorecard",
    )

    def _compute_prm_mdf_scorecard(self):
        """Allocated, remaining and paid funds of the open periods of the
        current company, for all the partners at once: one search and the
        allocations' grouped balance queries (record rules apply)."""
        company = self.env.company
        Allocation = self.env["prm.mdf.allocation"]
        totals = defaultdict(lambda: dict.fromkeys(BALANCE_KEYS, 0.0))
        partner_ids = [partner_id for partner_id in self._origin.ids if partner_id]
        if partner_ids and Allocation.has_access("read"):
            allocations = Allocation.search(
                [
                    ("partner_id", "in", partner_ids),
                    ("company_id", "=", company.id),
                    ("period_id.state", "=", "open"),
                ]
            )
            balances = allocations._prm_balances()
            for allocation in allocations:
                values = totals[allocation.partner_id.id]
                for key, amount in balances[allocation.id].items():
                    values[key] += amount
        currency = company.currency_id
        for partner in self:
            values = totals[partner._origin.id]
            partner.prm_mdf_currency_id = currency
            partner.prm_mdf_amount_allocated = currency.round(values["allocated"])
            partner.prm_mdf_amount_remaining = currency.round(values["remaining"])
            partner.prm_mdf_amount_paid = currency.round(values["paid"])

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
