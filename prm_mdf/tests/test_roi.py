# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import PrmMdfCommon


@tagged("post_install", "-at_install")
class TestRoi(PrmMdfCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Campaign = cls.env["utm.campaign"]
        cls.campaign = Campaign.create({"name": "Budapest IT Expo 2026"})
        cls.other_campaign = Campaign.create({"name": "Unrelated campaign"})
        Lead = cls.env["crm.lead"]
        leads = Lead.create(
            [
                {"name": f"Expo lead {i}", "campaign_id": cls.campaign.id}
                for i in range(3)
            ]
        )
        leads[0].action_set_lost()  # a lost lead still came from the expo
        Lead.create({"name": "Other lead", "campaign_id": cls.other_campaign.id})
        cls._invoice(cls.customer, 5000.0, campaign_id=cls.campaign.id)
        cls._invoice(
            cls.customer, 500.0, move_type="out_refund", campaign_id=cls.campaign.id
        )
        cls._invoice(cls.customer, 9999.0, campaign_id=cls.other_campaign.id)
        draft = cls.init_invoice("out_invoice", partner=cls.customer, amounts=[700.0])
        draft.campaign_id = cls.campaign

    def test_roi_of_a_paid_request(self):
        request = self._approved_request(
            amount=1000.0, approved=1000.0, campaign_id=self.campaign.id
        )
        self.assertEqual(request.roi_lead_count, 3)
        self.assertEqual(request.roi_revenue, 4500.0)
        self.assertEqual(request.roi_registration_count, 0)
        self.assertEqual(request.roi_ratio, 0.0, "nothing paid yet")
        claim = self._claim(request, 900.0)
        claim.action_approve()
        self._pay(claim.move_id)
        request.invalidate_recordset()
        self.assertEqual(request.amount_paid, 900.0)
        self.assertEqual(request.roi_ratio, 5.0)

    def test_roi_without_campaign(self):
        request = self._request(amount=100.0)
        self.assertEqual(request.roi_lead_count, 0)
        self.assertEqual(request.roi_revenue, 0.0)
        self.assertEqual(request.roi_ratio, 0.0)

    def test_roi_is_set_based(self):
        ids = [
            self._request(amount=10.0, campaign_id=self.campaign.id).id
            for _i in range(6)
        ]

        def queries(request_ids):
            self.env.invalidate_all()
            requests = self.env["prm.mdf.request"].browse(request_ids)
            before = self.env.cr.sql_log_count
            counts = set(requests.mapped("roi_lead_count"))
            self.assertEqual(counts, {3})
            return self.env.cr.sql_log_count - before

        queries(ids)  # warm the caches up
        self.assertEqual(queries(ids[:2]), queries(ids))
