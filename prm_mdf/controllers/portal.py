# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import format_amount

from odoo.addons.prm_portal.controllers.portal import PrmPortal

from ..models.prm_mdf_request import ACTIVITY_TYPES, EDITABLE_STATES
from ..tools import MAX_UPLOAD_FILES, MAX_UPLOAD_SIZE, check_upload

TEXT_LIMITS = {"title": 200, "description": 5000}


class PrmMdfPortal(PrmPortal):
    """Market development funds in the partner portal.

    Visibility comes from the record rules: a Partner Member sees the
    requests they made, a Partner Admin those of the whole partner company;
    both see the company's allocations. The pages accept no access token
    (funds are confidential to the partner): mail links lead to the login.
    """

    # ------------------------------------------------------------------
    # Home counter, messages
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prm_mdf_request_count" in counters:
            Request = request.env["prm.mdf.request"]
            values["prm_mdf_request_count"] = (
                Request.search_count([])
                if self._prm_partner() and Request.has_access("read")
                else 0
            )
        return values

    def _prm_mdf_messages(self):
        _ = request.env._
        return {
            "saved": _("Your request is saved as a draft."),
            "submitted": _(
                "Your request is submitted: its amount is reserved on your funds "
                "until your channel manager decides."
            ),
            "cancelled": _("Your request is cancelled; its funds are released."),
            "claimed": _(
                "Your claim is submitted with its proof of performance; you will "
                "hear from us soon."
            ),
        }

    # ------------------------------------------------------------------
    # Overview
    # ------------------------------------------------------------------

    def _prm_mdf_searchbar_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "start": {"label": _("Activity Start"), "order": "date_start desc, id"},
            "state": {"label": _("Status"), "order": "state, id desc"},
        }

    def _prm_mdf_searchbar_filters(self):
        _ = request.env._
        return {
            "all": {"label": _("All"), "domain": []},
            "draft": {
                "label": _("To Complete"),
                "domain": [("state", "in", ("draft", "returned"))],
            },
            "submitted": {
                "label": _("In Review"),
                "domain": [("state", "=", "submitted")],
            },
            "approved": {
                "label": _("To Claim"),
                "domain": [("state", "=", "approved")],
            },
            "claimed": {
                "label": _("Claimed"),
                "domain": [("state", "in", ("claimed", "paid"))],
            },
            "closed": {
                "label": _("Closed"),
                "domain": [("state", "in", ("rejected", "cancelled"))],
            },
        }

    def _prm_mdf_allocations(self, partner):
        """The partner's allocations of open periods and of the last closed
        ones, with their balances (record rules apply)."""
        Allocation = request.env["prm.mdf.allocation"]
        if not Allocation.has_access("read"):
            return Allocation, {}
        allocations = Allocation.search(
            [("partner_id", "=", partner.id)], order="period_id, id desc", limit=4
        )
        return allocations, allocations._prm_balances()

    @http.route(
        ["/my/funds", "/my/funds/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def prm_portal_my_funds(self, page=1, sortby=None, filterby=None, **kw):
        partner = self._prm_partner()
        Request = request.env["prm.mdf.request"]
        if not partner or not Request.has_access("read"):
            return request.redirect("/my")
        sortings = self._prm_mdf_searchbar_sortings()
        filters = self._prm_mdf_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = list(filters[filterby]["domain"])
        requests, pager = self._prm_paged_search(
            Request,
            domain,
            "/my/funds",
            page,
            sortings[sortby]["order"],
            url_args={"sortby": sortby, "filterby": filterby},
        )
        request.session["my_fund_requests_history"] = requests.ids[:100]
        allocations, balances = self._prm_mdf_allocations(partner)
        values = self._prm_layout_values(
            "prm_funds",
            prm_breadcrumb=request.env._("Funds"),
            fund_requests=requests,
            allocations=allocations,
            balances=balances,
            can_request=bool(partner._prm_mdf_open_allocations())
            and Request.has_access("create"),
            pager=pager,
            default_url="/my/funds",
            searchbar_sortings=sortings,
            sortby=sortby,
            searchbar_filters=filters,
            filterby=filterby,
            prm_message=self._prm_mdf_messages().get(kw.get("prm_message")),
        )
        return request.render("prm_mdf.portal_my_funds", values)

    # ------------------------------------------------------------------
    # Request detail and actions
    # ------------------------------------------------------------------

    def _prm_mdf_request_get(self, request_id):
        """The request if the record rules let the user read it, else
        ``None``. No access token: see the class docstring."""
        return self._prm_document_get("prm.mdf.request", request_id) or None

    @http.route(
        "/my/funds/request/<int:request_id>", type="http", auth="user", website=True
    )
    def prm_portal_fund_request(self, request_id, **kw):
        fund_request = self._prm_mdf_request_get(request_id)
        if not fund_request:
            return request.redirect("/my")
        values = self._prm_mdf_request_values(
            fund_request,
            prm_message=self._prm_mdf_messages().get(kw.get("prm_message")),
            prm_error=kw.get("prm_error"),
        )
        return request.render("prm_mdf.portal_my_fund_request", values)

    def _prm_mdf_request_values(self, fund_request, claim_errors=None, **values):
        today = fields.Date.context_today(fund_request)
        claims = fund_request.claim_ids
        can_claim = (
            fund_request.state == "approved"
            and (
                not fund_request.claim_deadline or today <= fund_request.claim_deadline
            )
            and request.env["prm.mdf.claim"].has_access("create")
        )
        if claim_errors and not can_claim:
            # the claim form is not shown: say why the claim was refused
            values.setdefault("prm_error", " ".join(claim_errors.values()))
        values = self._prm_layout_values(
            "prm_fund_request",
            prm_breadcrumb=fund_request.name,
            fund_request=fund_request,
            claims=claims,
            # sudo: portal users cannot read attachments; these are the
            # proofs of claims the record rules let them read (above)
            proofs={claim.id: claim.sudo().proof_attachment_ids for claim in claims},
            can_claim=can_claim,
            claim_errors=claim_errors or {},
            claim_post=values.pop("claim_post", {}),
            max_files=MAX_UPLOAD_FILES,
            today=today,
            **values,
        )
        return self._get_page_view_values(
            fund_request, None, values, "my_fund_requests_history", False
        )

    @http.route(
        "/my/funds/request/<int:request_id>/submit",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_fund_request_submit(self, request_id, **kw):
        fund_request = self._prm_mdf_request_get(request_id)
        if not fund_request:
            return request.redirect("/my")
        try:
            fund_request.action_submit()
        except AccessError:
            return request.redirect("/my")
        except (UserError, ValidationError) as error:
            return request.render(
                "prm_mdf.portal_my_fund_request",
                self._prm_mdf_request_values(fund_request, prm_error=str(error)),
                status=400,
            )
        return request.redirect(f"{fund_request.access_url}?prm_message=submitted")

    @http.route(
        "/my/funds/request/<int:request_id>/cancel",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_fund_request_cancel(self, request_id, **kw):
        fund_request = self._prm_mdf_request_get(request_id)
        if not fund_request:
            return request.redirect("/my")
        try:
            fund_request.action_cancel()
        except AccessError:
            return request.redirect("/my")
        except UserError as error:
            return request.render(
                "prm_mdf.portal_my_fund_request",
                self._prm_mdf_request_values(fund_request, prm_error=str(error)),
                status=400,
            )
        return request.redirect(f"{fund_request.access_url}?prm_message=cancelled")

    # ------------------------------------------------------------------
    # Uploads
    # ------------------------------------------------------------------

    def _prm_mdf_read_uploads(self, field_name, errors, required=False):
        """Read and check the files of a form field: ``[(name, data)]``.

        Every file is checked (size, type by extension and by content)
        before anything is stored; refused files add a message to
        ``errors[field_name]``.
        """
        _ = request.env._
        uploads = [
            upload
            for upload in request.httprequest.files.getlist(field_name)
            if upload and upload.filename
        ]
        if required and not uploads:
            errors[field_name] = _(
                "Attach your proof of performance (invoices, photos, reports)."
            )
            return []
        if len(uploads) > MAX_UPLOAD_FILES:
            errors[field_name] = _("Attach at most %s files.", MAX_UPLOAD_FILES)
            return []
        files = []
        messages = []
        for upload in uploads:
            # never read more than the limit (+1 byte to detect larger files)
            data = upload.read(MAX_UPLOAD_SIZE + 1)
            error = check_upload(request.env, upload.filename, data)
            if error:
                messages.append(error)
            else:
                files.append((upload.filename, data))
        if messages:
            errors[field_name] = " ".join(messages)
        return files

    # ------------------------------------------------------------------
    # Request form (new, edit)
    # ------------------------------------------------------------------

    def _prm_mdf_currencies(self):
        return request.env["res.currency"].search([], order="name")

    def _prm_mdf_form_parse(self, post):
        """Validate the request form: ``(vals, errors)``; ``errors`` maps a
        form field to a message for the partner."""
        _ = request.env._
        errors = {}
        vals = {}
        for name, limit in TEXT_LIMITS.items():
            value = (post.get(name) or "").strip()
            if len(value) > limit:
                errors[name] = _("Keep this under %s characters.", limit)
            vals[name] = value or False
        if not vals["title"]:
            errors["title"] = _("Name the activity.")
        activity_type = post.get("activity_type")
        if activity_type not in dict(ACTIVITY_TYPES):
            errors["activity_type"] = _("Choose the type of activity.")
        vals["activity_type"] = activity_type
        date_start = self._prm_parse_date(post.get("date_start"))
        date_end = self._prm_parse_date(post.get("date_end"))
        if not date_start:
            errors["date_start"] = _("Give the start date of the activity.")
        if not date_end:
            errors["date_end"] = _("Give the end date of the activity.")
        elif date_start and date_end < date_start:
            errors["date_end"] = _("The activity cannot end before it starts.")
        elif date_end < fields.Date.context_today(request.env.user):
            errors["date_end"] = _("The activity is already over.")
        vals["date_start"] = date_start or False
        vals["date_end"] = date_end or False
        currencies = self._prm_mdf_currencies()
        currency = currencies.filtered(
            lambda c: str(c.id) == (post.get("currency_id") or "").strip()
        )
        if not currency:
            errors["currency_id"] = _("Choose the currency of the amount.")
        else:
            vals["currency_id"] = currency.id
        amount = self._prm_parse_amount(post.get("amount_requested"))
        if amount is None or amount is False or amount <= 0:
            errors["amount_requested"] = _("Enter the amount you request.")
        elif currency:
            vals["amount_requested"] = currency.round(amount)
        leads = self._prm_parse_count(post.get("expected_leads"))
        if leads is False:
            errors["expected_leads"] = _("Enter a whole number of leads.")
        vals["expected_leads"] = leads or 0
        revenue = self._prm_parse_amount(post.get("expected_revenue"))
        if revenue is False or (revenue or 0.0) < 0:
            errors["expected_revenue"] = _("Enter the revenue you expect, or nothing.")
        else:
            vals["expected_revenue"] = revenue or 0.0
        plan = self._prm_mdf_read_uploads("plan_file", errors)
        if plan:
            filename, data = plan[0]
            vals["plan_file"] = base64.b64encode(data)
            vals["plan_filename"] = filename
        return vals, errors

    def _prm_mdf_form_values(self, fund_request, post, errors):
        partner = self._prm_partner()
        default_currency = (
            fund_request.currency_id
            if fund_request
            else partner.sudo().property_product_pricelist.currency_id
            or request.env.company.currency_id
        )
        form = {}
        for name in (
            "title",
            "activity_type",
            "description",
            "date_start",
            "date_end",
            "amount_requested",
            "expected_leads",
            "expected_revenue",
        ):
            if post:
                form[name] = post.get(name) or ""
            elif fund_request:
                form[name] = fund_request[name] or ""
            else:
                form[name] = ""
        form["currency_id"] = (
            post.get("currency_id") if post else str(default_currency.id)
        )
        allocations = partner._prm_mdf_open_allocations()
        return self._prm_layout_values(
            "prm_fund_request_form",
            prm_breadcrumb=fund_request.name
            if fund_request
            else request.env._("New Request"),
            fund_request=fund_request,
            form=form,
            errors=errors,
            activity_types=ACTIVITY_TYPES,
            currencies=self._prm_mdf_currencies(),
            allocations=allocations,
            balances=allocations._prm_balances(),
        )

    def _prm_mdf_form_response(self, fund_request, post):
        Request = request.env["prm.mdf.request"]
        if request.httprequest.method != "POST":
            return request.render(
                "prm_mdf.portal_fund_request_form",
                self._prm_mdf_form_values(fund_request, None, {}),
            )
        vals, errors = self._prm_mdf_form_parse(post)
        if not errors:
            try:
                # nothing is kept when the submission fails
                with request.env.cr.savepoint():
                    if fund_request:
                        fund_request.write(vals)
                    else:
                        fund_request = Request.create(vals)
                    if post.get("action") == "submit":
                        fund_request.action_submit()
            except AccessError:
                return request.redirect("/my")
            except (UserError, ValidationError) as error:
                errors["form"] = str(error)
                fund_request = fund_request.exists() if fund_request else Request
        if errors:
            return request.render(
                "prm_mdf.portal_fund_request_form",
                self._prm_mdf_form_values(fund_request, post, errors),
                status=400,
            )
        message = "submitted" if post.get("action") == "submit" else "saved"
        return request.redirect(f"{fund_request.access_url}?prm_message={message}")

    @http.route(
        "/my/funds/request/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def prm_portal_fund_request_new(self, **post):
        partner = self._prm_partner()
        Request = request.env["prm.mdf.request"]
        if not partner or not Request.has_access("create"):
            return request.redirect("/my")
        if not partner._prm_mdf_open_allocations():
            return request.redirect("/my/funds")
        return self._prm_mdf_form_response(Request, post)

    @http.route(
        "/my/funds/request/<int:request_id>/edit",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def prm_portal_fund_request_edit(self, request_id, **post):
        fund_request = self._prm_mdf_request_get(request_id)
        if not fund_request:
            return request.redirect("/my")
        if fund_request.state not in EDITABLE_STATES:
            return request.redirect(fund_request.access_url)
        return self._prm_mdf_form_response(fund_request, post)

    # ------------------------------------------------------------------
    # Claim with proof of performance
    # ------------------------------------------------------------------

    def _prm_mdf_claim_parse(self, fund_request, post):
        _ = request.env._
        errors = {}
        currency = fund_request.currency_id
        amount = self._prm_parse_amount(post.get("amount"))
        if amount is None or amount is False or amount <= 0:
            errors["amount"] = _("Enter the amount you actually spent.")
        elif currency.compare_amounts(amount, fund_request.amount_approved) > 0:
            errors["amount"] = _(
                "You can claim at most the approved amount of %s.",
                format_amount(request.env, fund_request.amount_approved, currency),
            )
        description = (post.get("description") or "").strip()
        if len(description) > TEXT_LIMITS["description"]:
            errors["description"] = _(
                "Keep this under %s characters.", TEXT_LIMITS["description"]
            )
        files = self._prm_mdf_read_uploads("proof_files", errors, required=True)
        vals = {
            "request_id": fund_request.id,
            "amount": currency.round(amount) if "amount" not in errors else 0.0,
            "description": description or False,
        }
        return vals, files, errors

    @http.route(
        "/my/funds/request/<int:request_id>/claim",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_fund_claim(self, request_id, **post):
        fund_request = self._prm_mdf_request_get(request_id)
        if not fund_request:
            return request.redirect("/my")
        Claim = request.env["prm.mdf.claim"]
        if not Claim.has_access("create"):
            return request.redirect("/my")
        vals, files, errors = self._prm_mdf_claim_parse(fund_request, post)
        if not errors:
            try:
                # all or nothing: claim, files and submission
                with request.env.cr.savepoint():
                    claim = Claim.create(vals)
                    claim.check_access("write")
                    # sudo: portal users cannot create attachments; the claim
                    # is theirs (checked above) and the files only go to it.
                    attachments = (
                        request.env["ir.attachment"]
                        .sudo()
                        .create(
                            [
                                {
                                    "name": filename,
                                    "raw": data,
                                    "res_model": claim._name,
                                    "res_id": claim.id,
                                }
                                for filename, data in files
                            ]
                        )
                    )
                    claim.write(
                        {"proof_attachment_ids": [Command.set(attachments.ids)]}
                    )
                    claim.action_submit()
            except AccessError:
                return request.redirect("/my")
            except (UserError, ValidationError) as error:
                errors["form"] = str(error)
        if errors:
            return request.render(
                "prm_mdf.portal_my_fund_request",
                self._prm_mdf_request_values(
                    fund_request, claim_errors=errors, claim_post=post
                ),
                status=400,
            )
        return request.redirect(f"{fund_request.access_url}?prm_message=claimed")
