# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .prm_deal_registration import EDITABLE_STATES


class PrmDealRegistrationLine(models.Model):
    _name = "prm.deal.registration.line"
    _description = "Deal Registration Product"
    _order = "registration_id, sequence, id"
    _check_company_auto = True

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
    currency_id = fields.Many2one(related="registration_id.currency_id")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        check_company=True,
        domain=[("sale_ok", "=", True)],
    )
    name = fields.Char(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Monetary(string="Unit Price")
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal", store=True
    )

    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK(quantity > 0 AND price_unit >= 0)",
            "Quantities must be positive and prices cannot be negative.",
        ),
    ]

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            line.name = line.product_id.display_name or line.name

    @api.depends("quantity", "price_unit", "currency_id")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.currency_id.round(
                line.quantity * line.price_unit
            )

    def _prm_check_portal_edit(self, registrations):
        if self.env.su or not self.env.user._is_portal():
            return
        if any(r.state not in EDITABLE_STATES for r in registrations):
            raise UserError(
                self.env._(
                    "The products of a registration can only be changed while it "
                    "is a draft or returned to you."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        registrations = self.env["prm.deal.registration"].browse(
            [
                vals["registration_id"]
                for vals in vals_list
                if vals.get("registration_id")
            ]
        )
        self._prm_check_portal_edit(registrations)
        return super().create(vals_list)

    def write(self, vals):
        self._prm_check_portal_edit(self.registration_id)
        return super().write(vals)

    def unlink(self):
        self._prm_check_portal_edit(self.registration_id)
        return super().unlink()
