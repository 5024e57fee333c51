# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import Form, tagged

from .common import PrmCommon


@tagged("post_install", "-at_install")
class TestAttribution(PrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {
                "name": "Licence",
                "list_price": 1000.0,
                "invoice_policy": "order",
                "taxes_id": [(5, 0, 0)],
            }
        )

    def test_lead_follows_assigned_partner(self):
        contact = self.env["res.partner"].create(
            {"name": "Sales rep of A", "parent_id": self.partner_a.id}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Big deal",
                "type": "opportunity",
                "partner_assigned_id": contact.id,
            }
        )
        self.assertEqual(lead.prm_channel_partner_id, self.partner_a)
        lead.prm_channel_partner_id = self.partner_b  # settable by hand
        self.assertEqual(lead.prm_channel_partner_id, self.partner_b)

    def test_opportunity_to_order_to_invoice(self):
        lead = self._opportunity(self.partner_a, 5000.0)
        action = lead.action_new_quotation()
        order_form = Form(self.env["sale.order"].with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 3
        order = order_form.save()
        self.assertEqual(order.opportunity_id, lead)
        self.assertEqual(order.prm_channel_partner_id, self.partner_a)
        order.action_confirm()
        invoice = order._create_invoices()
        self.assertEqual(invoice.prm_channel_partner_id, self.partner_a)
        invoice.action_post()
        kpis = self.partner_a._prm_compute_kpis()[self.partner_a.id]
        self.assertEqual(kpis["revenue_12m"], 3000.0)
        # A credit note keeps the attribution and takes the revenue back.
        reversal = invoice._reverse_moves()
        self.assertEqual(reversal.prm_channel_partner_id, self.partner_a)
        reversal.action_post()
        kpis = self.partner_a._prm_compute_kpis()[self.partner_a.id]
        self.assertEqual(kpis["revenue_12m"], 0.0)

    def test_resale_counts_for_member(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        self.assertEqual(order.prm_channel_partner_id, self.partner_a)
        invoice = self._invoice(self.partner_a, 700.0)
        self.assertEqual(invoice.prm_channel_partner_id, self.partner_a)
        other = self._invoice(self.customer, 700.0)
        self.assertFalse(other.prm_channel_partner_id, "non-members are no channel")
        applicant = self._create_member("Applicant", state="applicant")
        self.assertFalse(self._invoice(applicant, 10.0).prm_channel_partner_id)

    def test_vendor_bills_are_not_attributed(self):
        bill = self.init_invoice("in_invoice", partner=self.partner_a, amounts=[50.0])
        self.assertFalse(bill.prm_channel_partner_id)

    def test_manual_attribution_is_tracked(self):
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            amounts=[100.0],
            invoice_date=self.today,
        ).with_context(tracking_disable=False, mail_notrack=False)
        self.flush_tracking()  # records created in a transaction are not tracked
        invoice.prm_channel_partner_id = self.partner_b
        self.flush_tracking()
        invoice.invalidate_recordset(["message_ids"])
        tracked = invoice.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "prm_channel_partner_id"
        )
        self.assertEqual(tracked.new_value_char, "Partner B")
        invoice.action_post()
        kpis = self.partner_b._prm_compute_kpis()[self.partner_b.id]
        self.assertEqual(kpis["revenue_12m"], 100.0)
