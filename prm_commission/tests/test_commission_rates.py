# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import PrmCommissionCommon


@tagged("post_install", "-at_install")
class TestCommissionRates(PrmCommissionCommon):
    def _set_rules(self, *rules, **plan_vals):
        self.plan.write(
            dict(
                plan_vals,
                rule_ids=[Command.clear()]
                + [Command.create(dict({"name": "Rule"}, **vals)) for vals in rules],
            )
        )
        return self.plan.rule_ids.sorted("sequence")

    def test_percent_of_untaxed_amount(self):
        tax = self.percent_tax(15.0)
        invoice = self._make_invoice(
            self.partner_a, [(self.licence, 2, 500.0)], taxes=tax
        )
        self.assertEqual(invoice.amount_total, 1150.0)
        line = self._lines(invoice)
        self.assertEqual(len(line), 1)
        self.assertRecordValues(
            line,
            [
                {
                    "partner_id": self.partner_a.id,
                    "grade_id": self.tier_bronze.id,
                    "move_id": invoice.id,
                    "invoice_line_id": invoice.invoice_line_ids.id,
                    "product_id": self.licence.id,
                    "plan_id": self.plan.id,
                    "rule_id": self.rule.id,
                    "kind": "invoice",
                    "deal_origin": "referral",
                    "base": 1000.0,
                    "rate": 10.0,
                    "amount": 100.0,
                    "amount_company": 100.0,
                    "state": "pending",
                    "date": self.jan,
                }
            ],
        )

    def test_percent_of_margin(self):
        self._set_rules({"rate_type": "margin", "rate": 25.0})
        # cost 600, price 1000: margin 3 x 400 = 1200
        invoice = self._make_invoice(self.partner_a, [(self.licence, 3, 1000.0)])
        line = self._lines(invoice)
        self.assertRecordValues(line, [{"base": 1200.0, "amount": 300.0}])
        # sold at a loss: no commission, and none taken back either
        loss = self._make_invoice(self.partner_a, [(self.licence, 1, 500.0)])
        self.assertFalse(self._lines(loss))
        # a credit note takes the margin commission back
        refund = self._make_invoice(
            self.partner_a, [(self.licence, 1, 1000.0)], move_type="out_refund"
        )
        self.assertRecordValues(
            self._lines(refund), [{"kind": "refund", "base": -400.0, "amount": -100.0}]
        )

    def test_fixed_amount_per_unit(self):
        self._set_rules({"rate_type": "fixed", "fixed_amount": 15.0})
        invoice = self._make_invoice(
            self.partner_a, [(self.hardware, 7, 50.0), (self.licence, 1, 1000.0)]
        )
        self.assertEqual(
            self._lines(invoice).mapped("amount"), [105.0, 15.0], "per unit sold"
        )
        refund = self._make_invoice(
            self.partner_a, [(self.hardware, 2, 50.0)], move_type="out_refund"
        )
        self.assertEqual(self._lines(refund).amount, -30.0)

    def test_volume_bands_are_marginal_per_period(self):
        rule = self._set_rules(
            {
                "rate_type": "bands",
                "band_ids": [
                    Command.create({"amount_from": 0, "amount_to": 1000, "rate": 5}),
                    Command.create(
                        {"amount_from": 1000, "amount_to": 3000, "rate": 10}
                    ),
                    Command.create({"amount_from": 3000, "amount_to": 0, "rate": 20}),
                ],
            },
            volume_period="month",
        )
        first = self._make_invoice(self.partner_a, [(self.licence, 1, 800.0)])
        # 200 at 5% + 1300 at 10%
        second = self._make_invoice(self.partner_a, [(self.licence, 1, 1500.0)])
        # 700 at 10% + 300 at 20%
        third = self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
        self.assertEqual(self._lines(first).amount, 40.0)
        self.assertEqual(self._lines(second).amount, 140.0)
        self.assertEqual(self._lines(third).amount, 130.0)
        self.assertAlmostEqual(self._lines(third).rate, 13.0)
        self.assertEqual(
            self._total(self._lines(partner=self.partner_a)),
            rule._prm_band_amount(3300.0),
        )
        # another partner has its own volume
        other = self._make_invoice(self.partner_b, [(self.licence, 1, 800.0)])
        self.assertEqual(self._lines(other).amount, 40.0)
        # the bands start again with the next period...
        february = self._make_invoice(
            self.partner_a, [(self.licence, 1, 800.0)], date=self.feb
        )
        self.assertEqual(self._lines(february).amount, 40.0)
        # ... but a quarterly volume carries on
        self.plan.volume_period = "quarter"
        march = self._make_invoice(
            self.partner_a, [(self.licence, 1, 100.0)], date=self.feb
        )
        self.assertEqual(self._lines(march).amount, 20.0, "4100 this quarter: 20%")

    def test_bands_true_up_after_reset(self):
        self._set_rules(
            {
                "rate_type": "bands",
                "band_ids": [
                    Command.create({"amount_from": 0, "amount_to": 1000, "rate": 5}),
                    Command.create({"amount_from": 1000, "amount_to": 0, "rate": 10}),
                ],
            },
            volume_period="month",
        )
        first = self._make_invoice(self.partner_a, [(self.licence, 1, 800.0)])
        self._make_invoice(self.partner_a, [(self.licence, 1, 1500.0)])
        exact = 1000 * 0.05 + 1300 * 0.10
        self.assertEqual(self._total(self._lines(partner=self.partner_a)), exact)
        # the first invoice is corrected and posted again: it now comes after the
        # second one in the volume, at a higher band
        first.button_draft()
        first.action_post()
        lines = self._lines(partner=self.partner_a)
        self.assertEqual(self._total(lines), exact + 40.0)
        # the true-up of the month settles the bands on the final volume
        trueup = self.plan._prm_trueup(
            self.jan.replace(day=1), self.jan.replace(day=31)
        )
        self.assertRecordValues(
            trueup,
            [
                {
                    "kind": "trueup",
                    "partner_id": self.partner_a.id,
                    "amount_company": -40.0,
                    "date": self.jan.replace(day=31),
                }
            ],
        )
        self.assertEqual(self._total(self._lines(partner=self.partner_a)), exact)
        self.assertFalse(
            self.plan._prm_trueup(self.jan.replace(day=1), self.jan.replace(day=31)),
            "a second true-up has nothing to settle",
        )

    def test_rule_cap(self):
        self.rule.cap_amount = 150.0
        amounts = [
            self._lines(
                self._make_invoice(self.partner_a, [(self.licence, 1, 1000.0)])
            ).amount
            for _i in range(3)
        ]
        self.assertEqual(amounts, [100.0, 50.0, 0.0])
        # a credit note within the capped excess takes nothing back
        refund = self._make_invoice(
            self.partner_a, [(self.licence, 1, 500.0)], move_type="out_refund"
        )
        self.assertFalse(self._lines(refund))
        # the cap is per period and per partner
        self.assertEqual(
            self._lines(
                self._make_invoice(
                    self.partner_a, [(self.licence, 1, 1000.0)], date=self.feb
                )
            ).amount,
            100.0,
        )
        self.assertEqual(
            self._lines(
                self._make_invoice(self.partner_b, [(self.licence, 1, 1000.0)])
            ).amount,
            100.0,
        )

    def test_plan_cap(self):
        self._set_rules(
            {"sequence": 1, "product_ids": [Command.set(self.support.ids)], "rate": 20},
            {"sequence": 2, "rate": 10},
            cap_amount=120.0,
        )
        invoice = self._make_invoice(
            self.partner_a, [(self.support, 5, 100.0), (self.licence, 1, 1000.0)]
        )
        self.assertEqual(self._lines(invoice).mapped("amount"), [100.0, 20.0])
        trueup = self.plan._prm_trueup(
            self.jan.replace(day=1), self.jan.replace(day=31)
        )
        self.assertFalse(trueup, "the running cap was exact")

    def test_rule_precedence_and_filters(self):
        distributor = self._create_member(
            "Distributor", self.user_channel, prm_partner_type="distributor"
        )
        rules = self._set_rules(
            {
                "sequence": 10,
                "product_ids": [Command.set(self.licence.ids)],
                "rate": 20,
            },
            {
                "sequence": 20,
                "categ_ids": [Command.set(self.categ_services.ids)],
                "rate": 15,
            },
            {"sequence": 30, "partner_type": "distributor", "rate": 12},
            {"sequence": 40, "deal_origin": "resale", "rate": 3},
            {"sequence": 50, "date_to": "2023-12-31", "rate": 50},
            {"sequence": 60, "date_from": "2024-02-01", "rate": 7},
            {"sequence": 90, "rate": 5},
        )
        invoice = self._make_invoice(
            self.partner_a,
            [
                (self.licence, 1, 100.0),
                (self.support, 1, 100.0),
                (self.hardware, 1, 100.0),
            ],
        )
        self.assertEqual(
            self._lines(invoice).mapped("rule_id"),
            rules[0] | rules[1] | rules[6],
            "product, then subcategory of a category, then the default rule",
        )
        by_type = self._make_invoice(distributor, [(self.hardware, 1, 100.0)])
        self.assertEqual(self._lines(by_type).rule_id, rules[2])
        resale = self._make_invoice(
            self.partner_a, [(self.hardware, 1, 100.0)], customer=self.partner_a
        )
        self.assertEqual(resale.prm_channel_partner_id, self.partner_a)
        self.assertEqual(self._lines(resale).rule_id, rules[3])
        self.assertEqual(self._lines(resale).deal_origin, "resale")
        later = self._make_invoice(
            self.partner_a, [(self.hardware, 1, 100.0)], date=self.feb
        )
        self.assertEqual(self._lines(later).rule_id, rules[5], "valid from February")

    def test_distributed_deal_origin(self):
        contact = self.env["res.partner"].create(
            {"name": "Sales rep", "parent_id": self.partner_a.id}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Distributed lead",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "partner_assigned_id": contact.id,
            }
        )
        self._set_rules(
            {"sequence": 1, "deal_origin": "distributed", "rate": 6},
            {"sequence": 2, "rate": 10},
        )
        action = lead.action_new_quotation()
        order_form = Form(self.env["sale.order"].with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.hardware
            line.product_uom_qty = 10
        order = order_form.save()
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = self.jan
        self.assertEqual(invoice._prm_commission_deal_origin(), "distributed")
        invoice.action_post()
        self.assertRecordValues(
            self._lines(invoice),
            [{"deal_origin": "distributed", "rate": 6.0, "amount": 30.0}],
        )

    def test_registered_deal_origin(self):
        """A deal the partner registered earns the "registered" rules."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Registered deal",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "prm_channel_partner_id": self.partner_a.id,
            }
        )
        Lead = type(self.env["crm.lead"])
        self.patch(
            Lead,
            "_prm_registered_by",
            lambda lead_, partner: lead_ == lead and partner == self.partner_a,
        )
        self._set_rules(
            {"sequence": 1, "deal_origin": "registered", "rate": 8},
            {"sequence": 2, "rate": 10},
        )
        action = lead.action_new_quotation()
        order_form = Form(self.env["sale.order"].with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.hardware
            line.product_uom_qty = 10
        order = order_form.save()
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = self.jan
        self.assertEqual(invoice._prm_commission_deal_origin(), "registered")
        invoice.action_post()
        self.assertRecordValues(
            self._lines(invoice),
            [{"deal_origin": "registered", "rate": 8.0, "amount": 40.0}],
        )

    def test_plan_of_partner_and_tier(self):
        special = self.env["prm.commission.plan"].create(
            {
                "name": "Special",
                "rule_ids": [Command.create({"name": "All", "rate": 25})],
            }
        )
        self.partner_b.prm_commission_plan_id = special
        self.assertEqual(self.partner_a.prm_commission_effective_plan_id, self.plan)
        self.assertEqual(self.partner_b.prm_commission_effective_plan_id, special)
        invoice_b = self._make_invoice(self.partner_b, [(self.licence, 1, 100.0)])
        self.assertEqual(self._lines(invoice_b).amount, 25.0)
        # no plan, no commission; no channel partner, no commission either
        self.tier_bronze.prm_commission_plan_id = False
        invoice_a = self._make_invoice(self.partner_a, [(self.licence, 1, 100.0)])
        direct = self._make_invoice(False, [(self.licence, 1, 100.0)])
        self.assertFalse(self._lines(invoice_a | direct))

    def test_only_administrators_override_plans(self):
        special = self.env["prm.commission.plan"].create({"name": "Special"})
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.user_channel).prm_commission_plan_id = special
