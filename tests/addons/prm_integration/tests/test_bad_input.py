# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Malformed input posted to every partner portal form (property-based).

Every example must be answered without a server error; a rejected input
shows a validation message and stores nothing; an accepted input stores sane
values; a script payload never comes back unescaped. Without its CSRF token
a form stores nothing.
"""

import math
import re
from datetime import timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .bad_input_common import (
    EXE_DATA,
    HUGE_TEXT,
    MISSING,
    PDF_DATA,
    PNG_DATA,
    Many,
    PrmBadInputCase,
    Ref,
    Upload,
    amount_field,
    bad_input_settings,
    bad_integer,
    date_field,
    field,
    form,
    id_field,
    missing,
    plain_zip,
    text_field,
    xss,
)

XSS = '<script>alert("prm-xss-1")</script>'
IMG_XSS = '"><img src=x onerror=alert(1)>'
TODAY = fields.Date.today()
SOON = str(TODAY + timedelta(days=20))
LATER = str(TODAY + timedelta(days=25))
PAST = str(TODAY - timedelta(days=3))
TOO_BIG = 10 * 1024 * 1024 + 1


def file_field(*valid):
    """Uploads: valid files, an .exe renamed .pdf, an empty file, types
    that are not accepted, a plain zip as .docx, a script in the file name,
    too many files (files over the size limit are explicit examples)."""
    return field(
        valid[0],
        st.sampled_from(valid),
        st.sampled_from(
            [
                Upload("invoice.pdf", EXE_DATA),
                Upload("setup.exe", EXE_DATA),
                Upload("empty.pdf", b""),
                Upload("photo.png", PDF_DATA),
                Upload("report.docx", plain_zip()),
                Upload(XSS + ".pdf", PDF_DATA),
                Upload("x" * 300 + ".pdf", PDF_DATA),
                Upload("script.html", XSS.encode()),
                Many(*[Upload(f"p{n}.pdf", PDF_DATA) for n in range(12)]),
            ]
        ),
        missing,
    )


def choice_field(valid, *others):
    """A selection: other keys, scripts, junk, nothing."""
    return field(valid, st.sampled_from(others), xss, text_field(valid).strategy)


@tagged("post_install", "-at_install", "prm_bad_input")
class TestBadInput(PrmBadInputCase):
    """Malformed data posted by the Partner Admin ``duna`` (demo data) and
    by an anonymous visitor to the partner portal forms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.partner = env.ref("prm_base.prm_partner_budapest_it")
        cls.other_partner = env.ref("prm_base.prm_partner_kl_tech")
        cls.user = env.ref("prm_portal.prm_user_duna_admin")
        cls.currency = env.company.currency_id
        hungary = env.ref("base.hu")
        product = env["product.product"].search(
            [("sale_ok", "=", True), ("company_id", "in", [False, env.company.id])],
            limit=1,
        )
        specializations = env["prm.specialization"].search([], limit=2)
        # deal registrations: a draft to edit, an approved one to extend
        Registration = env["prm.deal.registration"]

        def deal_vals(partner, customer):
            return {
                "partner_id": partner.id,
                "customer_name": customer,
                "customer_vat": "HU99887766",
                "customer_country_id": hungary.id,
                "contact_name": "Éva Nagy",
                "date_expected_close": TODAY + timedelta(days=40),
                "expected_revenue": 5000.0,
            }

        cls.deal = Registration.create(deal_vals(cls.partner, "Bad Input Kft."))
        cls.deal_other = Registration.create(
            deal_vals(cls.other_partner, "Other Partner Sdn. Bhd.")
        )
        cls.deal_approved = Registration.create(
            deal_vals(cls.partner, "Protected Deal Kft.")
        )
        cls.deal_approved.sudo()._prm_transition().write(
            {
                "state": "approved",
                "protection_start": TODAY,
                "protection_end": TODAY + timedelta(days=5),
            }
        )
        # lead offers
        Lead = env["crm.lead"]
        Offer = env["prm.lead.offer"]
        deadline = fields.Datetime.now() + timedelta(days=2)
        cls.offer = Offer.create(
            {
                "lead_id": Lead.create({"name": "Bad input lead", "type": "lead"}).id,
                "partner_id": cls.partner.id,
                "deadline": deadline,
            }
        )
        cls.offer_other = Offer.create(
            {
                "lead_id": Lead.create({"name": "Other lead", "type": "lead"}).id,
                "partner_id": cls.other_partner.id,
                "deadline": deadline,
            }
        )
        # market development funds: a draft to edit, an approved one to claim
        if not cls.partner._prm_mdf_open_allocations():
            period = env["prm.mdf.period"].create(
                {
                    "period_type": "quarter",
                    "date_from": env["prm.mdf.period"]._default_date_from(),
                    "budget": 100000.0,
                    "allocation_rule": "manual",
                }
            )
            period.action_open()
            env["prm.mdf.allocation"].create(
                {"period_id": period.id, "partner_id": cls.partner.id, "amount": 5000}
            )
        MdfRequest = env["prm.mdf.request"]

        def mdf_vals(partner, title):
            return {
                "title": title,
                "partner_id": partner.id,
                "activity_type": "event",
                "date_start": TODAY + timedelta(days=10),
                "date_end": TODAY + timedelta(days=12),
                "amount_requested": 100.0,
                "currency_id": cls.currency.id,
            }

        cls.mdf_draft = MdfRequest.create(mdf_vals(cls.partner, "Bad input roadshow"))
        cls.mdf_other = MdfRequest.create(
            mdf_vals(cls.other_partner, "Other partner roadshow")
        )
        cls.mdf_approved = MdfRequest.create(
            dict(
                mdf_vals(cls.partner, "Approved webinar"),
                amount_requested=300.0,
                date_start=TODAY - timedelta(days=5),
                date_end=TODAY - timedelta(days=1),
            )
        )
        cls.mdf_approved.action_submit()
        cls.mdf_approved._action_approve(200.0)
        # a commission line of a statement the partner may dispute
        Line = env["prm.commission.line"]
        Statement = env["prm.commission.statement"]
        cls.line = Line.create(
            {"name": "Bad input adjustment", "partner_id": cls.partner.id, "amount": 10}
        )
        cls.statement = Statement.create(
            {
                "partner_id": cls.partner.id,
                "date_from": TODAY.replace(day=1),
                "date_to": TODAY,
                "line_ids": [fields.Command.set(cls.line.ids)],
            }
        )
        cls.line_other = Line.create(
            {
                "name": "Other adjustment",
                "partner_id": cls.other_partner.id,
                "amount": 5,
            }
        )
        # agreements waiting for the portal acceptance
        Agreement = env["prm.agreement"]
        cls.agreement = Agreement.create(
            {
                "name": "Bad input SLA",
                "partner_id": cls.partner.id,
                "agreement_type": "sla",
                "portal_acceptance": True,
                "date_end": TODAY + timedelta(days=365),
            }
        )
        cls.agreement_other = Agreement.create(
            {
                "name": "Other SLA",
                "partner_id": cls.other_partner.id,
                "agreement_type": "sla",
                "portal_acceptance": True,
                "date_end": TODAY + timedelta(days=365),
            }
        )
        cls.ids = {
            "hu": hungary.id,
            "product": product.id,
            "spec1": specializations[:1].id,
            "spec2": specializations[1:2].id or specializations[:1].id,
            "currency": cls.currency.id,
            "other_currency": env.ref("base.EUR").id
            if cls.currency != env.ref("base.EUR")
            else env.ref("base.USD").id,
            "deal_other": cls.deal_other.id,
            "mdf_other": cls.mdf_other.id,
        }

    def setUp(self):
        super().setUp()
        self.authenticate("duna", "duna")

    def count(self, model, domain=None):
        return (
            self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search_count(domain or [])
        )

    def attachments(self, model):
        return self.count("ir.attachment", [("res_model", "=", model)])

    # ------------------------------------------------------------------
    # /partners/apply
    # ------------------------------------------------------------------

    @bad_input_settings(40)
    @given(
        values=form(
            company_name=text_field("Tisza Cloud Kft."),
            vat=text_field("HU11223344"),
            country_id=id_field(Ref("hu")),
            website=text_field("www.tiszacloud.example.hu"),
            partner_type=choice_field("reseller", "msp", "RESELLER", "partner"),
            specialization_ids=id_field(Ref("spec1"), Ref("spec2")),
            contact_name=text_field("Péter Varga"),
            contact_email=text_field("peter@tiszacloud.example.hu"),
            contact_phone=text_field("+36 1 555 0199"),
            contact_function=text_field("CEO"),
            message=text_field("We resell cloud services."),
            consent=field("on", st.sampled_from(["", MISSING, "0", XSS])),
            prm_company_homepage=field(MISSING, st.sampled_from(["", "x.example"])),
        )
    )
    @example(
        values={
            "company_name": XSS,
            "contact_name": IMG_XSS,
            "contact_email": "not an email",
            "country_id": Ref("hu"),
            "partner_type": "reseller",
            "consent": "on",
        }
    )
    @example(values={"company_name": HUGE_TEXT, "message": HUGE_TEXT})
    @example(
        values={
            "company_name": "Nul\x00 Kft.",
            "contact_name": "Nul",
            "contact_email": "nul@example.com",
            "country_id": Ref("hu"),
            "partner_type": "reseller",
            "consent": "on",
        }
    )
    def test_apply(self, values):
        self.authenticate(None, None)
        before = self.count("prm.application")
        response = self.post("/partners/apply", values)
        self._count_input("/partners/apply")
        self.assertNoServerError(response, values)
        self.assertNoRawScript(response, values)
        stored = self.count("prm.application") - before
        if response.status_code == 400:
            self.assertShowsError(response, values)
            self.assertEqual(
                stored, 0, f"a rejected application was stored: {values!r}"
            )
            return
        self.assertEqual(response.status_code, 200, values)
        if values.get("prm_company_homepage") not in (None, MISSING, ""):
            self.assertEqual(stored, 0, f"the honeypot stored {values!r}")
            return
        self.assertEqual(stored, 1, f"accepted without storing: {values!r}")
        application = (
            self.env["prm.application"].sudo().search([], order="id desc", limit=1)
        )
        for name in (
            "name",
            "vat",
            "website",
            "contact_name",
            "contact_email",
            "message",
        ):
            self.assertSaneText(application[name], label=name)
        self.assertTrue(application.consent)

    # ------------------------------------------------------------------
    # /my/deals/new and /my/deals/<id>/edit
    # ------------------------------------------------------------------

    deal_form = form(
        customer_name=text_field("Tisza Logistics Kft."),
        customer_vat=text_field("HU55667788"),
        customer_website=text_field("https://tiszalog.example.hu"),
        customer_email=text_field("it@tiszalog.example.hu"),
        customer_city=text_field("Szeged"),
        customer_country_id=id_field(Ref("hu")),
        contact_name=text_field("Zoltán Kiss"),
        contact_email=text_field("z.kiss@tiszalog.example.hu"),
        contact_phone=text_field("+36 62 555 0100"),
        description=text_field("Warehouse system for two sites."),
        date_expected_close=date_field(SOON),
        currency_id=id_field(Ref("currency"), Ref("other_currency")),
        expected_revenue=amount_field("12000.50"),
        line_product_0=id_field(Ref("product")),
        line_quantity_0=amount_field("3"),
        line_price_0=amount_field("450.25"),
        line_product_1=field(MISSING, id_field(Ref("product")).strategy),
        line_quantity_1=amount_field("1"),
        line_price_1=amount_field(""),
        attachments=file_field(
            Upload("quote.pdf", PDF_DATA), Upload("site.png", PNG_DATA)
        ),
        action=field("save", st.sampled_from([MISSING, "submit", XSS])),
    )

    def _check_deal(self, url, values, deal=None, form_name=None):
        Registration = self.env["prm.deal.registration"]
        before = self.count("prm.deal.registration")
        attachments_before = self.attachments("prm.deal.registration")
        fields_ = ("customer_name", "expected_revenue", "date_expected_close")
        snapshot = deal.read(fields_ + ("line_ids",))[0] if deal else None
        response = self.post(url, values)
        self._count_input(form_name or url)
        self.assertNoServerError(response, values)
        self.assertNoRawScript(response, values)
        created = self.count("prm.deal.registration") - before
        if response.status_code == 200:
            # re-rendered: rejected, with its messages
            self.assertShowsError(response, values, 'id="prm_deal_form_errors"')
            if values.get("action") == "submit" and (created or deal):
                # saved as a draft, only its submission was refused
                record = deal or Registration.search([], order="id desc", limit=1)
                self._assert_sane_deal(record, values)
                return
            self.assertEqual(created, 0, f"a rejected deal was stored: {values!r}")
            self.assertEqual(
                self.attachments("prm.deal.registration"), attachments_before
            )
            if deal:
                self.assertEqual(deal.read(fields_ + ("line_ids",))[0], snapshot)
            return
        self.assertIn(response.status_code, (302, 303), values)
        location = self.location_path(response)
        self.assertRegex(location, r"^/my/deals/\d+\?prm_message=", values)
        record = Registration.browse(int(location.split("/")[3].split("?")[0]))
        if not deal:
            self.assertEqual(created, 1, values)
        else:
            self.assertEqual(record, deal)
        self._assert_sane_deal(record, values)
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        if deal and record.state not in ("draft", "returned"):
            # submitted: back to draft for the next example
            record.sudo()._prm_transition().write({"state": "draft"})

    def _assert_sane_deal(self, record, values):
        self.assertEqual(record.partner_id, self.partner)
        self.assertSaneText(record.customer_name, 200, "customer_name")
        for name in (
            "customer_vat",
            "customer_website",
            "customer_email",
            "customer_city",
            "contact_name",
            "contact_email",
            "contact_phone",
            "description",
        ):
            self.assertSaneText(record[name], label=name)
        self.assertSaneDate(record.date_expected_close, "date_expected_close")
        self.assertGreaterEqual(record.date_expected_close, TODAY)
        self.assertSaneAmount(
            record.expected_revenue, record.currency_id, "expected_revenue"
        )
        for line in record.line_ids:
            self.assertTrue(
                math.isfinite(line.quantity) and 0 < line.quantity < 1e12,
                f"quantity stored as {line.quantity!r} for {values!r}",
            )
            self.assertSaneAmount(line.price_unit, None, "price_unit")

    @bad_input_settings(30)
    @given(values=deal_form)
    @example(
        values={
            "customer_name": XSS,
            "customer_vat": IMG_XSS,
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "100",
            "description": XSS,
            "contact_name": IMG_XSS,
        }
    )
    @example(
        values={
            "customer_name": "Negative Kft.",
            "customer_vat": "HU1",
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "-5000",
        }
    )
    @example(
        values={
            "customer_name": "Nan Kft.",
            "customer_vat": "HU2",
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "NaN",
        }
    )
    @example(
        values={
            "customer_name": "Inf Lines Kft.",
            "customer_vat": "HU3",
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "line_product_0": Ref("product"),
            "line_quantity_0": "inf",
            "line_price_0": "nan",
        }
    )
    @example(
        values={
            "customer_name": "Exe Kft.",
            "customer_vat": "HU4",
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "100",
            "attachments": Upload("invoice.pdf", EXE_DATA),
        }
    )
    @example(
        values={
            "customer_name": "Huge Text Kft.",
            "customer_vat": "HU8",
            "customer_city": HUGE_TEXT,
            "contact_name": HUGE_TEXT,
            "description": HUGE_TEXT,
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "100",
        }
    )
    @example(
        values={
            "customer_name": "Nul Kft.",
            "customer_vat": "HU5",
            "customer_city": "Sze\x00ged",
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "100",
        }
    )
    @example(
        values={
            "customer_name": Upload("name.txt", b"Upload Kft."),
            "customer_vat": "HU6",
            "customer_country_id": Ref("hu"),
            "date_expected_close": SOON,
            "expected_revenue": "100",
        }
    )
    def test_deal_new(self, values):
        self._check_deal("/my/deals/new", values)

    @bad_input_settings(25)
    @given(
        values=deal_form,
        deal_ref=st.sampled_from(["own", "own", "own", "other", "missing"]),
    )
    @example(
        values={
            "customer_name": "Bad Input Kft.",
            "customer_vat": "HU99887766",
            "customer_country_id": Ref("hu"),
            "date_expected_close": "2026-02-30",
            "expected_revenue": "1e308",
        },
        deal_ref="own",
    )
    @example(
        values={"customer_name": "Stolen Kft.", "expected_revenue": "1"},
        deal_ref="other",
    )
    def test_deal_edit(self, values, deal_ref):
        if deal_ref == "own":
            self._check_deal(
                f"/my/deals/{self.deal.id}/edit",
                values,
                self.deal,
                "/my/deals/<id>/edit",
            )
            return
        deal_id = self.deal_other.id if deal_ref == "other" else 999999999
        other = self.env["prm.deal.registration"].sudo().browse(self.deal_other.id)
        snapshot = other.read(["customer_name", "expected_revenue"])
        response = self.post(f"/my/deals/{deal_id}/edit", values)
        self._count_input("/my/deals/<id>/edit")
        self.assertNoServerError(response, values)
        self.assertEqual(self.location_path(response), "/my")
        self.assertEqual(other.read(["customer_name", "expected_revenue"]), snapshot)

    # ------------------------------------------------------------------
    # /my/deals/<id>/extend
    # ------------------------------------------------------------------

    @bad_input_settings(25)
    @given(
        values=form(
            requested_end=date_field(LATER),
            reason=text_field("The customer's board meets next month."),
        ),
        deal_ref=st.sampled_from(
            ["approved", "approved", "approved", "draft", "other"]
        ),
    )
    @example(values={"requested_end": PAST, "reason": "too early"}, deal_ref="approved")
    @example(values={"requested_end": LATER, "reason": XSS}, deal_ref="approved")
    @example(values={"requested_end": LATER, "reason": HUGE_TEXT}, deal_ref="approved")
    @example(
        values={"requested_end": LATER, "reason": "nul\x00byte"}, deal_ref="approved"
    )
    def test_deal_extend(self, values, deal_ref):
        deal = {
            "approved": self.deal_approved,
            "draft": self.deal,
            "other": self.deal_other,
        }[deal_ref]
        Extension = self.env["prm.deal.extension"]
        before = self.count("prm.deal.extension")
        response = self.post(f"/my/deals/{deal.id}/extend", values)
        self._count_input("/my/deals/<id>/extend")
        self.assertNoServerError(response, values)
        self.assertIn(response.status_code, (302, 303), values)
        location = self.location_path(response)
        created = self.count("prm.deal.extension") - before
        if deal_ref == "other":
            self.assertEqual(location, "/my")
            self.assertEqual(created, 0)
            return
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        if "prm_error" in location:
            self.assertEqual(created, 0, f"a rejected extension was stored: {values!r}")
            self.assertShowsError(page, values)
            return
        self.assertIn("prm_message=extension", location)
        self.assertEqual(created, 1)
        extension = Extension.sudo().search([], order="id desc", limit=1)
        requested_end, reason = extension.requested_end, extension.reason
        # the next example asks again
        extension.unlink()
        self.assertSaneDate(requested_end, "requested_end")
        self.assertGreater(requested_end, deal.protection_end)
        self.assertSaneText(reason, label="reason")

    # ------------------------------------------------------------------
    # /my/leads/offers/<id>/decline
    # ------------------------------------------------------------------

    @bad_input_settings(20)
    @given(
        values=form(reason=text_field("No capacity this quarter.")),
        offer_ref=st.sampled_from(["own", "own", "own", "other", "missing"]),
    )
    @example(values={"reason": XSS}, offer_ref="own")
    @example(values={"reason": "nul\x00byte"}, offer_ref="own")
    def test_offer_decline(self, values, offer_ref):
        offer = self.offer.sudo()
        offer_id = {
            "own": self.offer.id,
            "other": self.offer_other.id,
            "missing": 999999999,
        }[offer_ref]
        response = self.post(f"/my/leads/offers/{offer_id}/decline", values)
        self._count_input("/my/leads/offers/<id>/decline")
        self.assertNoServerError(response, values)
        self.assertIn(response.status_code, (302, 303), values)
        location = self.location_path(response)
        if offer_ref != "own":
            self.assertEqual(location, "/my")
            self.assertEqual(self.offer_other.sudo().state, "offered")
            return
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        state, reason = offer.state, offer.decline_reason
        # offered again for the next example
        offer.write({"state": "offered", "decline_reason": False})
        self.assertIn("prm_message=declined", location, values)
        self.assertEqual(state, "declined")
        self.assertSaneText(reason, 200, "decline_reason")

    # ------------------------------------------------------------------
    # /my/funds/request/new and /my/funds/request/<id>/edit
    # ------------------------------------------------------------------

    mdf_form = form(
        title=text_field("Roadshow in Debrecen"),
        activity_type=choice_field("event", "digital", "coop", "EVENT", "party"),
        description=text_field("Three stops, 40 guests each."),
        date_start=date_field(SOON),
        date_end=date_field(LATER),
        currency_id=id_field(Ref("currency"), Ref("other_currency")),
        amount_requested=amount_field("150.505"),
        expected_leads=field("12", bad_integer, xss, missing),
        expected_revenue=amount_field("9000"),
        plan_file=file_field(Upload("plan.pdf", PDF_DATA)),
        action=field("save", st.sampled_from([MISSING, "submit", XSS])),
    )

    def _check_mdf(self, url, values, fund_request=None):
        Request = self.env["prm.mdf.request"]
        before = self.count("prm.mdf.request")
        fields_ = (
            "title",
            "amount_requested",
            "date_start",
            "date_end",
            "expected_leads",
            "expected_revenue",
            "currency_id",
            "state",
        )
        snapshot = fund_request.read(fields_)[0] if fund_request else None
        response = self.post(url, values)
        self._count_input(url if not fund_request else "/my/funds/request/<id>/edit")
        self.assertNoServerError(response, values)
        self.assertNoRawScript(response, values)
        created = self.count("prm.mdf.request") - before
        if response.status_code == 400:
            self.assertShowsError(response, values, 'id="prm_fund_form_errors"')
            self.assertEqual(created, 0, f"a rejected request was stored: {values!r}")
            if fund_request:
                self.assertEqual(fund_request.read(fields_)[0], snapshot)
            return
        self.assertIn(response.status_code, (302, 303), values)
        location = self.location_path(response)
        self.assertRegex(location, r"^/my/funds/request/\d+\?prm_message=", values)
        record = Request.browse(int(location.split("/")[4].split("?")[0]))
        if fund_request:
            self.assertEqual(record, fund_request)
        else:
            self.assertEqual(created, 1, values)
        self.assertEqual(record.partner_id, self.partner)
        self.assertSaneText(record.title, 200, "title")
        self.assertSaneText(record.description, 5000, "description")
        self.assertSaneDate(record.date_start, "date_start")
        self.assertSaneDate(record.date_end, "date_end")
        self.assertLessEqual(record.date_start, record.date_end)
        self.assertGreater(record.amount_requested, 0, values)
        self.assertSaneAmount(
            record.amount_requested, record.currency_id, "amount_requested"
        )
        self.assertSaneAmount(record.expected_revenue, None, "expected_revenue")
        self.assertGreaterEqual(record.expected_leads, 0)
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        if fund_request and record.state not in ("draft", "returned"):
            # submitted: back to an editable draft for the next example
            record.sudo().action_cancel()
            record.sudo().write({"state": "draft"})

    @bad_input_settings(30)
    @given(values=mdf_form)
    @example(
        values={
            "title": XSS,
            "activity_type": "event",
            "description": IMG_XSS,
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "100",
        }
    )
    @example(
        values={
            "title": "Negative",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "-100",
            "expected_revenue": "-5",
        }
    )
    @example(
        values={
            "title": "NaN",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "NaN",
        }
    )
    @example(
        values={
            "title": "Infinite revenue",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "100",
            "expected_revenue": "inf",
        }
    )
    @example(
        values={
            "title": "Many leads",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "100",
            "expected_leads": "99999999999999999999",
        }
    )
    @example(
        values={
            "title": "Exe plan",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "100",
            "plan_file": Upload("plan.pdf", EXE_DATA),
        }
    )
    @example(
        values={
            "title": "Nul\x00 roadshow",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "100",
        }
    )
    @example(
        values={
            "title": Upload("title.txt", b"Roadshow"),
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "100",
        }
    )
    def test_mdf_new(self, values):
        self._check_mdf("/my/funds/request/new", values)

    @bad_input_settings(25)
    @given(
        values=mdf_form,
        request_ref=st.sampled_from(["own", "own", "own", "other", "approved"]),
    )
    @example(
        values={
            "title": "Roadshow",
            "activity_type": "event",
            "date_start": LATER,
            "date_end": SOON,
            "currency_id": Ref("currency"),
            "amount_requested": "1e16",
        },
        request_ref="own",
    )
    @example(
        values={
            "title": "Roadshow",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": Ref("currency"),
            "amount_requested": "NaN",
        },
        request_ref="own",
    )
    def test_mdf_edit(self, values, request_ref):
        if request_ref == "own":
            self._check_mdf(
                f"/my/funds/request/{self.mdf_draft.id}/edit", values, self.mdf_draft
            )
            return
        target = (
            self.mdf_other if request_ref == "other" else self.mdf_approved
        ).sudo()
        snapshot = target.read(["title", "amount_requested", "state"])
        response = self.post(f"/my/funds/request/{target.id}/edit", values)
        self._count_input("/my/funds/request/<id>/edit")
        self.assertNoServerError(response, values)
        self.assertIn(response.status_code, (302, 303), values)
        expected = "/my" if request_ref == "other" else f"/my/funds/request/{target.id}"
        self.assertEqual(self.location_path(response), expected)
        self.assertEqual(target.read(["title", "amount_requested", "state"]), snapshot)

    # ------------------------------------------------------------------
    # /my/funds/request/<id>/claim
    # ------------------------------------------------------------------

    @bad_input_settings(30)
    @given(
        values=form(
            amount=amount_field("180.555"),
            description=text_field("Invoices of the venue and the catering."),
            proof_files=file_field(
                Upload("invoice.pdf", PDF_DATA),
                Upload("photo.png", PNG_DATA),
                Many(Upload("a.pdf", PDF_DATA), Upload("b.png", PNG_DATA)),
            ),
        ),
        request_ref=st.sampled_from(
            ["approved", "approved", "approved", "draft", "other"]
        ),
    )
    @example(
        values={"amount": "100", "proof_files": Upload("invoice.pdf", EXE_DATA)},
        request_ref="approved",
    )
    @example(
        values={"amount": "100", "proof_files": Upload("invoice.pdf", b"")},
        request_ref="approved",
    )
    @example(
        values={
            "amount": "100",
            "proof_files": Upload("big.pdf", PDF_DATA + b"0" * TOO_BIG),
        },
        request_ref="approved",
    )
    @example(
        values={"amount": "-100", "proof_files": Upload("invoice.pdf", PDF_DATA)},
        request_ref="approved",
    )
    @example(
        values={"amount": "NaN", "proof_files": Upload("invoice.pdf", PDF_DATA)},
        request_ref="approved",
    )
    @example(
        values={
            "amount": "150",
            "description": XSS,
            "proof_files": Upload(XSS + ".pdf", PDF_DATA),
        },
        request_ref="approved",
    )
    @example(
        values={"amount": "inf", "proof_files": Upload("invoice.pdf", PDF_DATA)},
        request_ref="approved",
    )
    @example(
        values={"amount": "100", "proof_files": Upload("invoice.pdf", PDF_DATA)},
        request_ref="draft",
    )
    def test_mdf_claim(self, values, request_ref):
        target = {
            "approved": self.mdf_approved,
            "draft": self.mdf_draft,
            "other": self.mdf_other,
        }[request_ref].sudo()
        before = self.count("prm.mdf.claim")
        attachments_before = self.attachments("prm.mdf.claim")
        response = self.post(f"/my/funds/request/{target.id}/claim", values)
        self._count_input("/my/funds/request/<id>/claim")
        self.assertNoServerError(response, values)
        self.assertNoRawScript(response, values)
        created = self.count("prm.mdf.claim") - before
        stored_files = self.attachments("prm.mdf.claim") - attachments_before
        if request_ref == "other":
            self.assertEqual(self.location_path(response), "/my")
            self.assertEqual((created, stored_files), (0, 0))
            return
        if response.status_code not in (302, 303):
            # 413: the request is larger than the server accepts
            self.assertIn(response.status_code, (400, 413), f"{values!r}")
            self.assertShowsError(response, values)
            self.assertEqual(
                (created, stored_files),
                (0, 0),
                f"a rejected claim was stored: {values!r}",
            )
            return
        self.assertNotEqual(request_ref, "draft", "a draft request was claimed")
        self.assertIn("prm_message=claimed", self.location(response))
        self.assertEqual(created, 1)
        claim = self.env["prm.mdf.claim"].sudo().search([], order="id desc", limit=1)
        page = self.follow(response)
        # a rejected claim can be replaced: the next example claims again
        claim.write({"state": "rejected"})
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        self.assertGreater(claim.amount, 0)
        self.assertSaneAmount(claim.amount, claim.currency_id, "claim amount")
        self.assertLessEqual(claim.amount, target.amount_approved)
        self.assertSaneText(claim.description, 5000, "description")
        self.assertTrue(claim.proof_attachment_ids)
        for attachment in claim.proof_attachment_ids:
            self.assertGreater(attachment.file_size, 0)
            self.assertLessEqual(attachment.file_size, TOO_BIG - 1)
            self.assertIn(
                attachment.mimetype,
                ("application/pdf", "image/png", "image/jpeg")
                + (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document",
                ),
            )

    # ------------------------------------------------------------------
    # /my/commissions/line/<id>/dispute
    # ------------------------------------------------------------------

    @bad_input_settings(20)
    @given(
        values=form(reason=text_field("The rate should be 12%.")),
        line_ref=st.sampled_from(["own", "own", "own", "other", "missing"]),
    )
    @example(values={"reason": XSS}, line_ref="own")
    @example(values={"reason": HUGE_TEXT}, line_ref="own")
    @example(values={"reason": "   "}, line_ref="own")
    @example(values={"reason": "nul\x00byte"}, line_ref="own")
    @example(values={"reason": Upload("reason.txt", b"rate")}, line_ref="own")
    def test_commission_dispute(self, values, line_ref):
        line = self.line.sudo()
        line_id = {
            "own": self.line.id,
            "other": self.line_other.id,
            "missing": 999999999,
        }[line_ref]
        response = self.post(f"/my/commissions/line/{line_id}/dispute", values)
        self._count_input("/my/commissions/line/<id>/dispute")
        self.assertNoServerError(response, values)
        self.assertIn(response.status_code, (302, 303), values)
        location = self.location_path(response)
        if line_ref != "own":
            self.assertEqual(location, "/my")
            self.assertFalse(self.line_other.sudo().dispute_state)
            return
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        state, reason = line.dispute_state, line.dispute_reason
        # undisputed again for the next example
        line.write({"dispute_state": False, "dispute_reason": False})
        if "prm_error" in location:
            self.assertShowsError(page, values)
            self.assertFalse(state, values)
            return
        self.assertIn("prm_message=disputed", location)
        self.assertEqual(state, "open")
        self.assertSaneText(reason, label="dispute_reason")

    # ------------------------------------------------------------------
    # /my/partner/users/invite
    # ------------------------------------------------------------------

    @bad_input_settings(25)
    @given(
        values=form(
            name=text_field("Judit Balogh"),
            email=field(
                "judit@budapestit.example.com",
                st.builds(
                    "judit.{}@budapestit.example.com".format, st.integers(0, 10**6)
                ),
                text_field("marton.kovacs@budapestit.example.com").strategy,
                st.just("a@b"),
                st.just("judit@budapestit.example.com, eve@evil.example.com"),
            ),
            role=choice_field("member", "admin", "owner", "ADMIN"),
        )
    )
    @example(
        values={"name": XSS, "email": "xss@budapestit.example.com", "role": "member"}
    )
    @example(values={"name": "Nul\x00", "email": "nul@budapestit.example.com"})
    @example(values={"name": "Huge", "email": "x" * 300 + "@example.com"})
    @example(values={"name": Upload("name.txt", b"Eve"), "email": "eve@example.com"})
    def test_users_invite(self, values):
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        before = self.count("res.users")
        contacts_before = self.count("res.partner")
        response = self.post("/my/partner/users/invite", values)
        self._count_input("/my/partner/users/invite")
        self.assertNoServerError(response, values)
        self.assertIn(response.status_code, (302, 303), values)
        location = self.location_path(response)
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        created = self.count("res.users") - before
        if "error=" in location:
            self.assertShowsError(page, values)
            self.assertEqual(
                created, 0, f"a rejected invitation was stored: {values!r}"
            )
            self.assertEqual(self.count("res.partner"), contacts_before)
            return
        self.assertIn("message=", location, values)
        self.assertEqual(created, 1)
        user = Users.search([], order="id desc", limit=1)
        self.assertEqual(user.commercial_partner_id, self.partner)
        self.assertTrue(user.share)
        self.assertSaneText(user.name, 128, "name")
        self.assertSaneText(user.login, 254, "login")
        self.assertIn(user._prm_portal_role(), ("admin", "member"))

    # ------------------------------------------------------------------
    # /my/partner/agreement/<id>/accept
    # ------------------------------------------------------------------

    @bad_input_settings(15)
    @given(
        values=form(
            name=field(MISSING, xss, text_field("x").strategy),
            accepted_user_id=field(MISSING, st.just("1"), st.just("abc")),
        ),
        agreement_ref=st.sampled_from(["own", "own", "other", "missing", "negative"]),
    )
    @example(values={"name": XSS}, agreement_ref="own")
    def test_agreement_accept(self, values, agreement_ref):
        agreement = self.agreement.sudo()
        agreement_id = {
            "own": self.agreement.id,
            "other": self.agreement_other.id,
            "missing": 999999999,
            "negative": -1,
        }[agreement_ref]
        response = self.post(f"/my/partner/agreement/{agreement_id}/accept", values)
        self._count_input("/my/partner/agreement/<id>/accept")
        self.assertNoServerError(response, values)
        self.assertIn(response.status_code, (302, 303, 404), values)
        location = self.location_path(response)
        if agreement_ref != "own":
            self.assertIn(location, ("/my", ""))
            self.assertFalse(self.agreement_other.sudo().accepted_date)
            return
        page = self.follow(response)
        self.assertNoServerError(page, values)
        self.assertNoRawScript(page, values)
        self.assertIn("prm_message=accepted", location)
        self.assertEqual(agreement.accepted_user_id, self.user)
        self.assertEqual(agreement.name, "Bad input SLA")
        # waiting for the acceptance again
        agreement.write(
            {
                "state": "draft",
                "accepted_user_id": False,
                "accepted_date": False,
                "accepted_ip": False,
            }
        )

    # ------------------------------------------------------------------
    # Missing CSRF token
    # ------------------------------------------------------------------

    def test_missing_csrf_token(self):
        """Without its token no form stores anything."""
        valid_deal = {
            "customer_name": "No Token Kft.",
            "customer_vat": "HU7",
            "customer_country_id": str(self.ids["hu"]),
            "date_expected_close": SOON,
            "expected_revenue": "100",
        }
        valid_mdf = {
            "title": "No token",
            "activity_type": "event",
            "date_start": SOON,
            "date_end": LATER,
            "currency_id": str(self.currency.id),
            "amount_requested": "100",
        }
        cases = [
            ("/my/deals/new", valid_deal, "prm.deal.registration"),
            (f"/my/deals/{self.deal.id}/edit", valid_deal, "prm.deal.registration"),
            (
                f"/my/deals/{self.deal_approved.id}/extend",
                {"requested_end": LATER, "reason": "no token"},
                "prm.deal.extension",
            ),
            (
                f"/my/leads/offers/{self.offer.id}/decline",
                {"reason": "no token"},
                "prm.lead.offer",
            ),
            ("/my/funds/request/new", valid_mdf, "prm.mdf.request"),
            (
                f"/my/funds/request/{self.mdf_draft.id}/edit",
                valid_mdf,
                "prm.mdf.request",
            ),
            (
                f"/my/funds/request/{self.mdf_approved.id}/claim",
                {"amount": "100", "proof_files": Upload("invoice.pdf", PDF_DATA)},
                "prm.mdf.claim",
            ),
            (
                f"/my/commissions/line/{self.line.id}/dispute",
                {"reason": "no token"},
                "prm.commission.line",
            ),
            (
                "/my/partner/users/invite",
                {"name": "No Token", "email": "notoken@example.com", "role": "member"},
                "res.users",
            ),
            (
                f"/my/partner/agreement/{self.agreement.id}/accept",
                {"accept": "1"},
                "prm.agreement",
            ),
        ]
        snapshot = {
            "deal": self.deal.read(["customer_name", "expected_revenue"]),
            "offer": self.offer.sudo().state,
            "mdf": self.mdf_draft.read(["title", "amount_requested"]),
            "line": self.line.sudo().dispute_state,
            "agreement": self.agreement.sudo().accepted_date,
        }
        for url, values, model in cases:
            form_name = re.sub(r"/\d+/", "/<id>/", url)
            with self.subTest(url=form_name):
                before = self.count(model)
                with mute_logger("odoo.http"):
                    response = self.post(url, values, csrf=False)
                self._count_input(form_name)
                self.assertNoServerError(response, values)
                self.assertIn(response.status_code, (400, 403), url)
                self.assertEqual(self.count(model), before, url)
        self.authenticate(None, None)
        before = self.count("prm.application")
        with mute_logger("odoo.http"):
            response = self.post(
                "/partners/apply",
                {
                    "company_name": "No Token Kft.",
                    "contact_name": "No Token",
                    "contact_email": "notoken@example.com",
                    "country_id": str(self.ids["hu"]),
                    "partner_type": "reseller",
                    "consent": "on",
                },
                csrf=False,
            )
        self._count_input("/partners/apply")
        self.assertIn(response.status_code, (400, 403))
        self.assertEqual(self.count("prm.application"), before)
        self.assertEqual(
            {
                "deal": self.deal.read(["customer_name", "expected_revenue"]),
                "offer": self.offer.sudo().state,
                "mdf": self.mdf_draft.read(["title", "amount_requested"]),
                "line": self.line.sudo().dispute_state,
                "agreement": self.agreement.sudo().accepted_date,
            },
            snapshot,
        )
