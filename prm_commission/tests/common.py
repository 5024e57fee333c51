# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.fields import Command

from odoo.addons.prm_base.tests.common import PrmCommon


class PrmCommissionCommon(PrmCommon):
    """A 10% plan on the entry tier (both test partners), products and helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Line = cls.env["prm.commission.line"]
        cls.Statement = cls.env["prm.commission.statement"]
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.jan = fields.Date.to_date("2024-01-10")
        cls.feb = fields.Date.to_date("2024-02-10")
        cls.categ_services = cls.env["product.category"].create({"name": "Services"})
        cls.categ_support = cls.env["product.category"].create(
            {"name": "Support", "parent_id": cls.categ_services.id}
        )
        cls.licence = cls._product("Licence", 1000.0, cost=600.0)
        cls.support = cls._product("Support", 100.0, categ=cls.categ_support)
        cls.hardware = cls._product("Hardware", 50.0, cost=30.0)
        cls.plan = cls.env["prm.commission.plan"].create(
            {
                "name": "Test plan",
                "trigger": "posted",
                "statement_period": "month",
                "volume_period": "month",
                "rule_ids": [
                    Command.create(
                        {"name": "Everything", "rate_type": "percent", "rate": 10.0}
                    )
                ],
            }
        )
        cls.rule = cls.plan.rule_ids
        cls.tier_bronze.prm_commission_plan_id = cls.plan

    @classmethod
    def _product(cls, name, price, cost=0.0, categ=None):
        return cls.env["product.product"].create(
            {
                "name": name,
                "list_price": price,
                "standard_price": cost,
                "categ_id": (categ or cls.env.ref("product.product_category_all")).id,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )

    @classmethod
    def _make_invoice(
        cls,
        channel,
        lines,
        date=None,
        customer=None,
        move_type="out_invoice",
        currency=None,
        post=True,
        taxes=None,
    ):
        """``lines``: ``[(product, quantity, price_unit)]``, no taxes by default."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (customer or cls.customer).id,
                "invoice_date": date or cls.jan,
                "currency_id": (currency or cls.currency).id,
                "prm_channel_partner_id": channel.id if channel else False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": quantity,
                            "price_unit": price,
                            "tax_ids": [Command.set((taxes or product.browse()).ids)],
                        }
                    )
                    for product, quantity, price in lines
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, date=None):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": date or invoice.invoice_date,
                    "group_payment": True,
                }
            )
            ._create_payments()
        )

    def _lines(self, moves=None, partner=None):
        domain = []
        if moves is not None:
            domain.append(("move_id", "in", moves.ids))
        if partner is not None:
            domain.append(("partner_id", "=", partner.id))
        return self.Line.search(domain, order="id")

    def _entitlements(self, moves):
        return self.env["prm.commission.entitlement"].search(
            [("invoice_line_id.move_id", "in", moves.ids)], order="id"
        )

    def _total(self, lines, field="amount_company"):
        return self.currency.round(sum(lines.mapped(field)))
