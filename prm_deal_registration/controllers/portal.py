# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import single_email_re

from odoo.addons.prm_portal.controllers.portal import PrmPortal

from ..models.customer_keys import normalize_domain
from ..models.prm_deal_registration import EDITABLE_STATES

MAX_LINES = 10
NEW_LINES = 3
MAX_FILES = 5
MAX_FILE_SIZE = 10 * 1024 * 1024
# the text fields of the registration form and their longest accepted value
TEXT_LIMITS = {
    "customer_name": 200,
    "customer_vat": 64,
    "customer_website": 256,
    "customer_email": 254,
    "customer_city": 128,
    "contact_name": 128,
    "contact_email": 254,
    "contact_phone": 64,
    "description": 5000,
}
TEXT_FIELDS = tuple(TEXT_LIMITS)
EXTENSION_REASON_LIMIT = 2000


class PrmDealPortal(PrmPortal):
    """Deal registrations and lead offers in the partner portal.

    Visibility comes from the record rules: a Partner Member sees the
    registrations they made, a Partner Admin those of the whole partner
    company; lead offers go to the company. Deal pages never accept access
    tokens instead of these rules (registrations are confidential to the
    partner): mail links lead to the login page.
    """

    # ------------------------------------------------------------------
    # Home counters, messages
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prm_deal_count" in counters:
            Registration = request.env["prm.deal.registration"]
            values["prm_deal_count"] = (
                Registration.search_count([]) if Registration.has_access("read") else 0
            )
        if "prm_lead_offer_count" in counters:
            Offer = request.env["prm.lead.offer"]
            values["prm_lead_offer_count"] = (
                Offer.search_count([("state", "=", "offered")])
                if Offer.has_access("read")
                else 0
            )
        return values

    def _prm_deal_messages(self):
        _ = request.env._
        return {
            "saved": _("Your registration is saved as a draft."),
            "submitted": _(
                "Your registration is submitted. We check it against the other "
                "channels and let you know."
            ),
            "approved": _("Your registration is approved: the deal is protected."),
            "extension": _("Your extension request was sent to your channel manager."),
            "accepted": _("The lead is yours: it is now in your leads."),
            "declined": _("The lead was declined; it goes to another partner."),
        }

    def _prm_deal_errors(self):
        _ = request.env._
        return {
            "closed": _("This offer is no longer open."),
            "not_editable": _("This registration can no longer be changed."),
            "extension": _("Give a reason and a date after the current protection."),
        }

    # ------------------------------------------------------------------
    # Deal registrations: list
    # ------------------------------------------------------------------

    def _prm_deal_searchbar_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "customer": {"label": _("Customer"), "order": "customer_name, id"},
            "close": {
                "label": _("Expected Closing"),
                "order": "date_expected_close, id",
            },
            "protection": {
                "label": _("Protection End"),
                "order": "protection_end, id",
            },
            "state": {"label": _("Status"), "order": "state, id"},
        }

    def _prm_deal_searchbar_filters(self):
        _ = request.env._
        return {
            "all": {"label": _("All"), "domain": []},
            "draft": {"label": _("Drafts"), "domain": [("state", "=", "draft")]},
            "review": {
                "label": _("In Review"),
                "domain": [("state", "in", ("submitted", "returned"))],
            },
            "approved": {
                "label": _("Protected"),
                "domain": [("state", "=", "approved")],
            },
            "won": {"label": _("Won"), "domain": [("state", "=", "won")]},
            "closed": {
                "label": _("Closed"),
                "domain": [("state", "in", ("rejected", "expired", "lost"))],
            },
        }

    @http.route(
        ["/my/deals", "/my/deals/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def prm_portal_my_deals(
        self, page=1, sortby=None, filterby=None, search=None, search_in=None, **kw
    ):
        Registration = request.env["prm.deal.registration"]
        if not self._prm_partner() or not Registration.has_access("read"):
            return request.redirect("/my")
        sortings = self._prm_deal_searchbar_sortings()
        filters = self._prm_deal_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = list(filters[filterby]["domain"])
        search = (search or "").strip()
        if search:
            domain.append(("customer_name", "ilike", search))
        deals, pager = self._prm_paged_search(
            Registration,
            domain,
            "/my/deals",
            page,
            sortings[sortby]["order"],
            url_args={"sortby": sortby, "filterby": filterby, "search": search},
        )
        request.session["my_deals_history"] = deals.ids[:100]
        values = self._prm_layout_values(
            "prm_deals",
            prm_breadcrumb=request.env._("Deal Registrations"),
            deals=deals,
            pager=pager,
            default_url="/my/deals",
            searchbar_sortings=sortings,
            sortby=sortby,
            searchbar_filters=filters,
            filterby=filterby,
            searchbar_inputs={
                "customer": {
                    "input": "customer",
                    "label": request.env._("Search in Customer"),
                }
            },
            search_in="customer",
            search=search,
            prm_message=self._prm_deal_messages().get(kw.get("prm_message")),
        )
        return request.render("prm_deal_registration.portal_my_deals", values)

    # ------------------------------------------------------------------
    # Deal registrations: detail and actions
    # ------------------------------------------------------------------

    def _prm_deal_get(self, deal_id):
        """The registration if the record rules let the user read it, else
        ``None``. No access token: see the class docstring."""
        return self._prm_document_get("prm.deal.registration", deal_id) or None

    @http.route("/my/deals/<int:deal_id>", type="http", auth="user", website=True)
    def prm_portal_my_deal(self, deal_id, **kw):
        deal = self._prm_deal_get(deal_id)
        if not deal:
            return request.redirect("/my")
        manager = deal.sudo().user_id
        values = self._prm_layout_values(
            "prm_deal",
            prm_breadcrumb=deal.name,
            deal=deal,
            channel_manager_name=manager.name,
            extension_pending=deal.sudo().extension_pending,
            prm_message=self._prm_deal_messages().get(kw.get("prm_message")),
            prm_error=self._prm_deal_errors().get(kw.get("prm_error")),
            today=fields.Date.context_today(deal),
        )
        values = self._get_page_view_values(
            deal, None, values, "my_deals_history", False
        )
        return request.render("prm_deal_registration.portal_my_deal", values)

    @http.route(
        "/my/deals/<int:deal_id>/submit",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_deal_submit(self, deal_id, **kw):
        deal = self._prm_deal_get(deal_id)
        if not deal:
            return request.redirect("/my")
        try:
            deal.action_submit()
        except AccessError:
            return request.redirect("/my")
        except (UserError, ValidationError):
            return request.redirect(f"/my/deals/{deal.id}/edit?prm_error=submit")
        message = "approved" if deal.state == "approved" else "submitted"
        return request.redirect(f"/my/deals/{deal.id}?prm_message={message}")

    @http.route(
        "/my/deals/<int:deal_id>/extend",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_deal_extend(self, deal_id, requested_end=None, reason=None, **kw):
        deal = self._prm_deal_get(deal_id)
        if not deal:
            return request.redirect("/my")
        end_date = self._prm_parse_date(requested_end)
        reason = (reason or "").strip()
        if (
            not end_date
            or not reason
            or len(reason) > EXTENSION_REASON_LIMIT
            or deal.state != "approved"
            or end_date <= deal.protection_end
        ):
            return request.redirect(f"/my/deals/{deal.id}?prm_error=extension")
        try:
            deal.action_request_extension(end_date, reason)
        except AccessError:
            return request.redirect("/my")
        except (UserError, ValidationError):
            return request.redirect(f"/my/deals/{deal.id}?prm_error=extension")
        return request.redirect(f"/my/deals/{deal.id}?prm_message=extension")

    # ------------------------------------------------------------------
    # Deal registrations: form
    # ------------------------------------------------------------------

    def _prm_deal_products(self):
        """Products a partner can register: the saleable ones (the catalog is
        public information; portal users cannot read products themselves)."""
        return (
            request.env["product.product"]
            .sudo()
            .search(
                [
                    ("sale_ok", "=", True),
                    ("company_id", "in", [False, request.env.company.id]),
                ],
                order="name",
                limit=200,
            )
        )

    def _prm_deal_form_parse(self, post, files):
        """Validate the form: ``(vals, lines, files, errors)``; ``errors``
        maps a form field to a message for the partner."""
        _ = request.env._
        errors = {}
        vals = {name: (post.get(name) or "").strip() or False for name in TEXT_FIELDS}
        for name, limit in TEXT_LIMITS.items():
            if vals[name] and len(vals[name]) > limit:
                errors[name] = _("Keep this under %s characters.", limit)
        if not vals["customer_name"]:
            errors["customer_name"] = _("The customer's company name is required.")
        if not (
            vals["customer_vat"] or vals["customer_website"] or vals["customer_email"]
        ):
            errors["customer_vat"] = _(
                "Give the customer's tax ID, website or e-mail so that we recognise it."
            )
        for name in ("customer_email", "contact_email"):
            if vals[name] and not single_email_re.match(vals[name]):
                errors[name] = _("This is not a valid e-mail address.")
        if vals["customer_website"] and not normalize_domain(
            vals["customer_website"], generic_domains=frozenset()
        ):
            errors["customer_website"] = _("This is not a valid website.")
        country = (
            request.env["res.country"]
            .browse(
                int(post["customer_country_id"])
                if (post.get("customer_country_id") or "").isdigit()
                else 0
            )
            .exists()
        )
        if not country:
            errors["customer_country_id"] = _("Choose the customer's country.")
        vals["customer_country_id"] = country.id
        close = self._prm_parse_date(post.get("date_expected_close"))
        if not close:
            errors["date_expected_close"] = _("Give the expected closing date.")
        elif close < fields.Date.context_today(request.env.user):
            errors["date_expected_close"] = _("The expected closing date is past.")
        vals["date_expected_close"] = close or False
        currency = (
            request.env["res.currency"]
            .browse(
                int(post["currency_id"])
                if (post.get("currency_id") or "").isdigit()
                else 0
            )
            .exists()
        )
        if not currency or not currency.active:
            currency = request.env.company.currency_id
        vals["currency_id"] = currency.id

        lines = self._prm_deal_form_lines(post, errors)
        revenue = self._prm_parse_amount(post.get("expected_revenue"))
        if lines:
            vals.pop("expected_revenue", None)
        elif revenue is None or revenue is False or revenue <= 0:
            errors["expected_revenue"] = _(
                "Give the expected revenue, or the products of the deal."
            )
        else:
            vals["expected_revenue"] = currency.round(revenue)

        contents = self._prm_deal_form_files(files, errors)
        return vals, lines, contents, errors

    def _prm_deal_form_lines(self, post, errors):
        """Product lines of the form, checked against the saleable products."""
        _ = request.env._
        products = self._prm_deal_products()
        lines = []
        for index in range(MAX_LINES):
            product_id = post.get(f"line_product_{index}")
            if not product_id:
                continue
            product = products.filtered(
                lambda p, pid=product_id: str(p.id) == pid.strip()
            )
            quantity = self._prm_parse_amount(post.get(f"line_quantity_{index}"))
            price = self._prm_parse_amount(post.get(f"line_price_{index}"))
            if not product:
                errors[f"line_product_{index}"] = _("Choose a product of the list.")
            elif not quantity or quantity <= 0:
                errors[f"line_quantity_{index}"] = _("The quantity must be positive.")
            elif price is False or (price or 0.0) < 0:
                errors[f"line_price_{index}"] = _(
                    "The price must be a positive number."
                )
            else:
                lines.append(
                    {
                        "product_id": product.id,
                        "name": product.display_name,
                        "quantity": quantity,
                        "price_unit": price or 0.0,
                    }
                )
        return lines

    def _prm_deal_form_files(self, files, errors):
        _ = request.env._
        uploads = [upload for upload in files if upload and upload.filename]
        if len(uploads) > MAX_FILES:
            errors["attachments"] = _("Attach at most %s files.", MAX_FILES)
        contents = []
        for upload in uploads[:MAX_FILES]:
            data = upload.read()
            if len(data) > MAX_FILE_SIZE:
                errors["attachments"] = _("%s is larger than 10 MB.", upload.filename)
            contents.append((upload.filename, data))
        return contents

    def _prm_deal_form_values(self, deal, post, errors):
        countries = request.env["res.country"].search([])
        default_country = (
            deal.customer_country_id if deal else self._prm_partner().country_id
        )
        lines = []
        if post:
            for index in range(MAX_LINES):
                if post.get(f"line_product_{index}"):
                    lines.append(
                        {
                            "product_id": post.get(f"line_product_{index}"),
                            "quantity": post.get(f"line_quantity_{index}"),
                            "price": post.get(f"line_price_{index}"),
                        }
                    )
        elif deal:
            lines = [
                {
                    "product_id": str(line.product_id.id),
                    "quantity": line.quantity,
                    "price": line.price_unit,
                }
                for line in deal.line_ids
                if line.product_id
            ]
        # a few empty rows to add products (no JavaScript needed)
        rows = min(MAX_LINES, max(NEW_LINES, len(lines) + 1))
        lines += [
            {"product_id": "", "quantity": "", "price": ""}
            for _index in range(rows - len(lines))
        ]
        form = {
            name: (post.get(name) if post else (deal[name] if deal else False)) or ""
            for name in TEXT_FIELDS
        }
        return self._prm_layout_values(
            "prm_deal_form",
            form=form,
            prm_breadcrumb=deal.name if deal else request.env._("New Registration"),
            deal=deal,
            post=post or {},
            errors=errors,
            countries=countries,
            currencies=request.env["res.currency"].search([]),
            company_currency=request.env.company.currency_id,
            default_country=default_country,
            products=self._prm_deal_products(),
            lines=lines,
            today=fields.Date.context_today(request.env.user),
        )

    def _prm_deal_save(self, deal, post):
        """Create or update the registration from the form; returns
        ``(deal, errors)``."""
        files = request.httprequest.files.getlist("attachments")
        vals, lines, contents, errors = self._prm_deal_form_parse(post, files)
        if errors:
            return deal, errors
        Registration = request.env["prm.deal.registration"]
        if deal:
            vals["line_ids"] = [Command.delete(line.id) for line in deal.line_ids] + [
                Command.create(line) for line in lines
            ]
            if lines:
                vals.pop("expected_revenue", None)
            deal.write(vals)
        else:
            vals["line_ids"] = [Command.create(line) for line in lines]
            deal = Registration.create(vals)
        if contents:
            deal.check_access("write")
            # sudo: portal users cannot create attachments; the registration
            # is theirs (checked above) and the files only go to it.
            attachments = (
                request.env["ir.attachment"]
                .sudo()
                .create(
                    [
                        {
                            "name": filename,
                            "raw": data,
                            "res_model": deal._name,
                            "res_id": deal.id,
                        }
                        for filename, data in contents
                    ]
                )
            )
            deal._prm_portal_message(
                request.env._("Documents of the deal"), attachments
            )
        return deal, {}

    def _prm_deal_form_response(self, deal, post):
        if request.httprequest.method == "POST":
            try:
                deal, errors = self._prm_deal_save(deal, post)
            except AccessError:
                return request.redirect("/my")
            except (UserError, ValidationError) as error:
                errors = {"form": str(error)}
            if not errors:
                if post.get("action") == "submit":
                    try:
                        deal.action_submit()
                    except (UserError, ValidationError) as error:
                        return request.render(
                            "prm_deal_registration.portal_deal_form",
                            self._prm_deal_form_values(
                                deal, None, {"form": str(error)}
                            ),
                        )
                    message = "approved" if deal.state == "approved" else "submitted"
                else:
                    message = "saved"
                return request.redirect(f"/my/deals/{deal.id}?prm_message={message}")
            return request.render(
                "prm_deal_registration.portal_deal_form",
                self._prm_deal_form_values(deal, post, errors),
            )
        errors = {}
        if post.get("prm_error") == "submit":
            errors["form"] = request.env._(
                "The registration cannot be submitted yet: complete it first."
            )
        return request.render(
            "prm_deal_registration.portal_deal_form",
            self._prm_deal_form_values(deal, None, errors),
        )

    @http.route(
        "/my/deals/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def prm_portal_deal_new(self, **post):
        Registration = request.env["prm.deal.registration"]
        if not self._prm_partner() or not Registration.has_access("create"):
            return request.redirect("/my")
        return self._prm_deal_form_response(Registration, post)

    @http.route(
        "/my/deals/<int:deal_id>/edit",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def prm_portal_deal_edit(self, deal_id, **post):
        deal = self._prm_deal_get(deal_id)
        if not deal:
            return request.redirect("/my")
        if deal.state not in EDITABLE_STATES:
            return request.redirect(f"/my/deals/{deal.id}?prm_error=not_editable")
        return self._prm_deal_form_response(deal, post)

    # ------------------------------------------------------------------
    # Lead offers
    # ------------------------------------------------------------------

    @http.route(
        ["/my/leads/offers", "/my/leads/offers/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def prm_portal_lead_offers(self, page=1, filterby=None, **kw):
        Offer = request.env["prm.lead.offer"]
        if not self._prm_partner() or not Offer.has_access("read"):
            return request.redirect("/my")
        _ = request.env._
        filters = {
            "open": {
                "label": _("Waiting for You"),
                "domain": [("state", "=", "offered")],
            },
            "all": {"label": _("All"), "domain": []},
        }
        filterby = filterby if filterby in filters else "open"
        domain = filters[filterby]["domain"]
        offers, pager = self._prm_paged_search(
            Offer,
            domain,
            "/my/leads/offers",
            page,
            None,
            url_args={"filterby": filterby},
        )
        values = self._prm_layout_values(
            "prm_lead_offers",
            prm_breadcrumb=_("Lead Offers"),
            offers=offers,
            pager=pager,
            default_url="/my/leads/offers",
            searchbar_filters=filters,
            filterby=filterby,
            now=fields.Datetime.now(),
            prm_message=self._prm_deal_messages().get(kw.get("prm_message")),
            prm_error=self._prm_deal_errors().get(kw.get("prm_error")),
        )
        return request.render("prm_deal_registration.portal_my_lead_offers", values)

    def _prm_offer_get(self, offer_id):
        return self._prm_document_get("prm.lead.offer", offer_id) or None

    @http.route(
        "/my/leads/offers/<int:offer_id>/accept",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_lead_offer_accept(self, offer_id, **kw):
        offer = self._prm_offer_get(offer_id)
        if not offer:
            return request.redirect("/my")
        try:
            offer.action_accept()
        except AccessError:
            return request.redirect("/my")
        except UserError:
            return request.redirect("/my/leads/offers?prm_error=closed")
        lead = offer.sudo().lead_id
        url = (
            f"/my/opportunity/{lead.id}"
            if lead.type == "opportunity"
            else f"/my/lead/{lead.id}"
        )
        return request.redirect(url)

    @http.route(
        "/my/leads/offers/<int:offer_id>/decline",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_portal_lead_offer_decline(self, offer_id, reason=None, **kw):
        offer = self._prm_offer_get(offer_id)
        if not offer:
            return request.redirect("/my")
        try:
            offer.action_decline((reason or "").strip()[:200] or None)
        except AccessError:
            return request.redirect("/my")
        except UserError:
            return request.redirect("/my/leads/offers?prm_error=closed")
        return request.redirect("/my/leads/offers?prm_message=declined")
