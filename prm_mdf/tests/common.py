# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import io
import zipfile
from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields

from odoo.addons.prm_base.tests.common import PrmCommon

PDF_DATA = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_DATA = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_DATA = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def ooxml(kind):
    """A minimal Office package: ``"docx"``, ``"xlsx"`` or ``"zip"`` (a plain
    archive)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind != "zip":
            archive.writestr("[Content_Types].xml", "<Types/>")
        if kind == "docx":
            archive.writestr("word/document.xml", "<document/>")
        elif kind == "xlsx":
            archive.writestr("xl/workbook.xml", "<workbook/>")
        else:
            archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


class PrmMdfCommon(PrmCommon):
    """An open fund period of the current quarter with allocations for the
    two program partners of prm_base's common case (A is managed by
    ``user_channel``, B by ``user_channel_other``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.company.write(
            {
                "prm_mdf_approval_limit": 1000.0,
                "prm_mdf_claim_deadline_days": 60,
                "prm_mdf_payment_mode": "bill",
            }
        )
        cls.expense_account = cls.company_data["default_account_expense"]
        Period = cls.env["prm.mdf.period"]
        cls.period = Period.create(
            {
                "period_type": "quarter",
                "date_from": Period._default_date_from(),
                "budget": 10000.0,
                "allocation_rule": "manual",
                "rollover_percent": 50.0,
            }
        )
        cls.period.action_open()
        Allocation = cls.env["prm.mdf.allocation"]
        cls.alloc_a = Allocation.create(
            {"period_id": cls.period.id, "partner_id": cls.partner_a.id, "amount": 2000}
        )
        cls.alloc_b = Allocation.create(
            {"period_id": cls.period.id, "partner_id": cls.partner_b.id, "amount": 1000}
        )

    @classmethod
    def _request(cls, partner=None, amount=500.0, submit=False, **values):
        request = cls.env["prm.mdf.request"].create(
            {
                "title": values.pop("title", "Trade show booth"),
                "partner_id": (partner or cls.partner_a).id,
                "activity_type": "event",
                "date_start": cls.today,
                "date_end": cls.today + timedelta(days=2),
                "amount_requested": amount,
                **values,
            }
        )
        if submit:
            request.action_submit()
        return request

    @classmethod
    def _approved_request(cls, amount=500.0, approved=None, **values):
        request = cls._request(amount=amount, submit=True, **values)
        request._action_approve(approved)
        return request

    @classmethod
    def _proof(cls, claim, name="invoice.pdf", data=PDF_DATA):
        return cls.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(data),
                "res_model": "prm.mdf.claim",
                "res_id": claim.id,
            }
        )

    @classmethod
    def _claim(cls, request, amount, submit=True, proof=True):
        claim = cls.env["prm.mdf.claim"].create(
            {"request_id": request.id, "amount": amount}
        )
        if proof:
            claim.proof_attachment_ids = [Command.link(cls._proof(claim).id)]
        if submit:
            claim.action_submit()
        return claim

    @contextmanager
    def assertRaisesRegex(self, exception, regex, msg=None):
        """``assertRaises`` (rolled back to a savepoint, as Odoo's) that also
        checks the message."""
        with self.assertRaises(exception, msg=msg) as context:
            yield context
        self.assertRegex(str(context.exception), regex)

    def _balances(self, allocation):
        return allocation._prm_balances()[allocation.id]

    def _pay(self, move):
        """Post the move if needed and pay it in full."""
        if move.state == "draft":
            move.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"payment_date": fields.Date.context_today(move)})._create_payments()
        return move
