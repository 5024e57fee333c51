# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
import re
from datetime import date, timedelta
from urllib.parse import quote

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES
from odoo.addons.prm_portal.models.prm_application import MEMBER_STATES

# Public application form: at most this many applications per address and hour.
APPLICATION_RATE_LIMIT = 3
# Hidden field real visitors leave empty.
HONEYPOT_FIELD = "prm_company_homepage"
FIELD_MAX_LENGTH = {
    "company_name": 128,
    "vat": 32,
    "website": 256,
    "contact_name": 128,
    "contact_email": 254,
    "contact_phone": 64,
    "contact_function": 128,
    "message": 5000,
}
# An amount typed in a portal form above this is a typing error.
MAX_PORTAL_AMOUNT = 1e12
WEBSITE_RE = re.compile(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
# KPIs of the tier requirements held by the partner's KPI cache (prm_base)
CACHED_KPI_FIELDS = {
    "revenue_12m": "prm_revenue_12m",
    "won_count": "prm_won_count",
    "lost_count": "prm_lost_count",
    "pipeline_value": "prm_pipeline_value",
    "win_rate": "prm_win_rate",
    "avg_deal_size": "prm_avg_deal_size",
}


class PrmPortal(CustomerPortal):
    """The partner-facing shell: feature addons subclass it for their pages."""

    # rows per page of the program's lists (Odoo's portal default is 80)
    _items_per_page = 20

    # ------------------------------------------------------------------
    # Helpers shared by every PRM portal page
    # ------------------------------------------------------------------

    def _prm_partner(self):
        """The program partner of the current portal user (empty if none)."""
        return request.env.user._prm_portal_partner()

    def _prm_is_partner_admin(self):
        return request.env.user._prm_portal_role() == "admin"

    def _prm_layout_values(self, page_name, **values):
        return dict(
            self._prepare_portal_layout_values(),
            page_name=page_name,
            prm_partner=self._prm_partner(),
            prm_is_admin=self._prm_is_partner_admin(),
            **values,
        )

    def _prm_paged_search(self, Model, domain, url, page, order, url_args=None):
        """One page of ``Model`` records for a portal list, and its pager."""
        pager = portal_pager(
            url=url,
            url_args=url_args or {},
            total=Model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = Model.search(
            domain, order=order, limit=self._items_per_page, offset=pager["offset"]
        )
        return records, pager

    def _prm_document_get(self, model_name, record_id):
        """The record if the portal user may read it (record rules), else an
        empty recordset; never through an access token."""
        if not self._prm_partner():
            return request.env[model_name]
        try:
            self._document_check_access(model_name, record_id)
        except (AccessError, MissingError):
            return request.env[model_name]
        return request.env[model_name].browse(record_id)

    # ------------------------------------------------------------------
    # Parsing of typed values, shared by the forms of every feature addon
    # ------------------------------------------------------------------

    def _prm_parse_date(self, value):
        """A date typed as YYYY-MM-DD, or ``None``."""
        try:
            return date.fromisoformat((value or "").strip())
        except (TypeError, ValueError):
            return None

    def _prm_parse_amount(self, value):
        """``None`` for an empty field, ``False`` for what is not a finite
        amount within reason (text, NaN, infinity, 1e308), else the float."""
        value = (value or "").strip().replace(" ", "").replace(",", ".")
        if not value:
            return None
        try:
            amount = float(value)
        except ValueError:
            return False
        if not math.isfinite(amount) or abs(amount) > MAX_PORTAL_AMOUNT:
            return False
        return amount

    def _prm_parse_count(self, value, maximum=1_000_000):
        """``None`` for an empty field, ``False`` for what is not a whole
        number from 0 to ``maximum``, else the integer."""
        value = (value or "").strip()
        if not value:
            return None
        if not value.isdecimal() or len(value) > len(str(maximum)):
            return False
        number = int(value)
        return number if number <= maximum else False

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prm_partner_count" in counters:
            values["prm_partner_count"] = 1 if self._prm_partner() else 0
        return values

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------

    def _prm_tier_progress(self, partner):
        """``partner._prm_tier_progress()`` from the partner's KPI cache, the
        figures the dashboard shows beside it, instead of summing all the
        partner's invoices and opportunities on every visit. A partner not
        evaluated yet gets its cache filled once; requirements on other KPIs
        are computed live."""
        next_grade = partner._prm_next_tier()
        if not next_grade:
            return next_grade, []
        requirements = next_grade._prm_requirements()
        if any(req["key"] not in CACHED_KPI_FIELDS for req in requirements):
            return partner._prm_tier_progress()
        cache = partner.sudo()
        if not cache.prm_kpi_date:
            cache._prm_store_kpis(cache._prm_compute_kpis())
        currency = cache.prm_kpi_currency_id
        kpis = {key: cache[name] for key, name in CACHED_KPI_FIELDS.items()}
        requirements = partner._prm_requirements_in(
            requirements, currency, fields.Date.context_today(partner)
        )
        return next_grade, partner._prm_requirement_progress(
            kpis, requirements, currency
        )

    def _prm_dashboard_values(self, partner):
        next_grade, progress = self._prm_tier_progress(partner)
        manager = partner.sudo().prm_channel_manager_id
        Agreement = request.env["prm.agreement"]
        agreements = (
            Agreement.search([("partner_id", "=", partner.id)], order="date_end")
            if Agreement.has_access("read")
            else Agreement
        )
        Announcement = request.env["prm.announcement"]
        return {
            "partner": partner,
            "tier": partner.grade_id,
            "next_grade": next_grade,
            "progress": progress,
            "currency": request.env.company.currency_id,
            "tiles": partner._prm_portal_tiles(),
            "channel_manager": {
                "name": manager.name,
                "email": manager.email,
                "phone": manager.phone,
            }
            if manager
            else False,
            "onboarding_tasks": request.env["prm.onboarding.task"].search(
                [("partner_id", "=", partner.id)]
            ),
            "agreements": agreements,
            "announcements": Announcement._prm_portal_latest()
            if Announcement.has_access("read")
            else Announcement,
        }

    @http.route("/my/partner", type="http", auth="user", website=True)
    def prm_dashboard(self, **kw):
        partner = self._prm_partner()
        if not partner:
            return request.redirect("/my")
        values = self._prm_layout_values(
            "prm_dashboard", **self._prm_dashboard_values(partner)
        )
        return request.render("prm_portal.portal_partner_dashboard", values)

    @http.route(
        "/my/partner/agreement/<int:agreement_id>/accept",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_agreement_accept(self, agreement_id, **kw):
        partner = self._prm_partner()
        if not partner or not self._prm_is_partner_admin():
            return request.redirect("/my")
        agreement = request.env["prm.agreement"].browse(agreement_id)
        try:
            agreement.check_access("read")
            if not agreement.exists() or agreement.partner_id != partner:
                raise MissingError(request.env._("This agreement does not exist."))
            agreement._portal_accept(
                request.env.user, request.httprequest.remote_addr or ""
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect("/my/partner?prm_error=%s" % quote(str(error)))
        return request.redirect("/my/partner?prm_message=accepted#prm_agreements")

    # ------------------------------------------------------------------
    # Public application form
    # ------------------------------------------------------------------

    def _prm_application_form_values(self, values=None, errors=None):
        Specialization = request.env["prm.specialization"].sudo()
        return {
            "values": values or {},
            "errors": errors or {},
            "countries": request.env["res.country"].sudo().search([]),
            "partner_types": PARTNER_TYPES,
            "specializations": Specialization.search([]),
            "honeypot_field": HONEYPOT_FIELD,
        }

    def _prm_application_validate(self, post):
        """Return ``(values, errors)`` for the application model."""
        env = request.env
        errors = {}
        data = {key: (post.get(key) or "").strip() for key in FIELD_MAX_LENGTH}
        for key, label in (
            ("company_name", env._("Company name")),
            ("contact_name", env._("Your name")),
            ("contact_email", env._("Email")),
        ):
            if not data[key]:
                errors[key] = env._("%s is required.", label)
        for key, max_length in FIELD_MAX_LENGTH.items():
            if len(data[key]) > max_length:
                errors[key] = env._("Keep this under %s characters.", max_length)
        if data["contact_email"] and "contact_email" not in errors:
            if not email_normalize(data["contact_email"]):
                errors["contact_email"] = env._("Enter a valid email address.")
        if data["website"] and "website" not in errors:
            if not WEBSITE_RE.match(data["website"]):
                errors["website"] = env._("Enter a website like www.example.com.")
        if data["vat"] and not re.fullmatch(r"[\w .\-/]+", data["vat"]):
            errors["vat"] = env._("A VAT number has letters and digits only.")
        country = env["res.country"].sudo().browse(_to_int(post.get("country_id")))
        if not country.exists():
            errors["country_id"] = env._("Choose your country.")
        partner_type = post.get("partner_type")
        if partner_type not in dict(PARTNER_TYPES):
            errors["partner_type"] = env._("Choose the kind of partner you are.")
        specialization_ids = [
            _to_int(value)
            for value in request.httprequest.form.getlist("specialization_ids")
        ]
        specializations = (
            env["prm.specialization"].sudo().browse(specialization_ids).exists()
        )
        if len(specializations) != len(set(specialization_ids)):
            errors["specialization_ids"] = env._(
                "Choose specializations from the list."
            )
        if not post.get("consent"):
            errors["consent"] = env._("Accept the program terms to apply.")
        values = {
            "name": data["company_name"],
            "vat": data["vat"] or False,
            "country_id": country.id if country.exists() else False,
            "website": data["website"] or False,
            "partner_type": partner_type if "partner_type" not in errors else False,
            "specialization_ids": [fields.Command.set(specializations.ids)],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "contact_phone": data["contact_phone"] or False,
            "contact_function": data["contact_function"] or False,
            "message": data["message"] or False,
            "consent": bool(post.get("consent")),
        }
        return values, errors

    def _prm_application_duplicate_error(self, values):
        """A clear message when the company applied or joined already."""
        env = request.env
        probe = (
            env["prm.application"]
            .sudo()
            .new(
                {
                    "name": values["name"],
                    "vat": values["vat"],
                    "country_id": values["country_id"],
                    "contact_email": values["contact_email"],
                    "website": values["website"],
                }
            )
        )
        if probe.duplicate_application_ids:
            return env._(
                "An application for this company is already being reviewed; we "
                "will contact you soon."
            )
        if probe.duplicate_partner_ids.filtered(lambda p: p.prm_state in MEMBER_STATES):
            return env._(
                "Your company is already a member of our partner program: ask your "
                "company's Partner Admin to invite you to the partner portal."
            )
        return False

    def _prm_application_rate_limited(self, ip_address):
        since = fields.Datetime.now() - timedelta(hours=1)
        return (
            request.env["prm.application"]
            .sudo()
            .search_count(
                [("ip_address", "=", ip_address), ("create_date", ">=", since)]
            )
            >= APPLICATION_RATE_LIMIT
        )

    @http.route(
        "/partners/apply",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=True,
    )
    def prm_apply(self, **post):
        if request.httprequest.method != "POST":
            return request.render(
                "prm_portal.partner_application_form",
                self._prm_application_form_values(),
            )
        if post.get(HONEYPOT_FIELD):
            # Robots fill every field: answer as usual, store nothing.
            return request.render("prm_portal.partner_application_thanks", {})
        ip_address = request.httprequest.remote_addr or ""
        values, errors = self._prm_application_validate(post)
        if not errors and self._prm_application_rate_limited(ip_address):
            errors["form"] = request.env._(
                "Too many applications were sent from your network in the last "
                "hour. Please try again later."
            )
        if not errors:
            duplicate = self._prm_application_duplicate_error(values)
            if duplicate:
                errors["form"] = duplicate
        if not errors:
            try:
                request.env["prm.application"]._prm_portal_create(values, ip_address)
            except ValidationError as error:
                errors["form"] = str(error)
        if errors:
            return request.render(
                "prm_portal.partner_application_form",
                self._prm_application_form_values(post, errors),
                status=400,
            )
        return request.render(
            "prm_portal.partner_application_thanks", {"values": values}
        )

    # ------------------------------------------------------------------
    # Resource library
    # ------------------------------------------------------------------

    @http.route(
        ["/my/partner/resources", "/my/partner/resources/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def prm_resources(self, page=1, category=None, search=None, sortby=None, **kw):
        partner = self._prm_partner()
        if not partner:
            return request.redirect("/my")
        Resource = request.env["prm.resource"]
        searchbar_sortings = {
            "name": {"label": request.env._("Name"), "order": "name"},
            "date": {"label": request.env._("Newest"), "order": "write_date desc"},
        }
        sortby = sortby if sortby in searchbar_sortings else "name"
        domain = []
        category_id = _to_int(category)
        if category_id:
            domain.append(("category_id", "=", category_id))
        if search:
            domain.append(("name", "ilike", search))
        lang = request.env.lang
        domain += ["|", ("lang", "=", False), ("lang", "=", lang)]
        resources, pager = self._prm_paged_search(
            Resource,
            domain,
            "/my/partner/resources",
            page,
            searchbar_sortings[sortby]["order"],
            url_args={"category": category, "search": search, "sortby": sortby},
        )
        categories = Resource.search(
            ["|", ("lang", "=", False), ("lang", "=", lang)]
        ).category_id
        values = self._prm_layout_values(
            "prm_resources",
            prm_breadcrumb=request.env._("Resources"),
            resources=resources,
            categories=categories,
            category_id=category_id,
            pager=pager,
            searchbar_sortings=searchbar_sortings,
            sortby=sortby,
            search=search or "",
            default_url="/my/partner/resources",
        )
        return request.render("prm_portal.portal_partner_resources", values)

    def _prm_portal_resource(self, resource_id):
        """The resource if the current partner may see it (record rules)."""
        resource = request.env["prm.resource"].browse(resource_id)
        resource.check_access("read")
        if not resource.exists():
            raise MissingError(request.env._("This resource does not exist."))
        return resource

    @http.route(
        "/my/partner/resources/<int:resource_id>/download",
        type="http",
        auth="user",
        website=True,
    )
    def prm_resource_download(self, resource_id, **kw):
        if not self._prm_partner():
            return request.redirect("/my")
        try:
            resource = self._prm_portal_resource(resource_id)
        except (AccessError, MissingError):
            return request.redirect("/my/partner/resources")
        resource._prm_record_download(request.env.user)
        if resource.resource_type == "url":
            return request.redirect(resource.url, local=False)
        if not resource.file:
            return request.not_found()
        return (
            request.env["ir.binary"]
            ._get_stream_from(resource, "file", filename=resource.filename)
            .get_response(as_attachment=True)
        )

    @http.route(
        "/my/partner/resources/<int:resource_id>/cobranded",
        type="http",
        auth="user",
        website=True,
    )
    def prm_resource_cobranded(self, resource_id, **kw):
        partner = self._prm_partner()
        if not partner:
            return request.redirect("/my")
        try:
            resource = self._prm_portal_resource(resource_id)
        except (AccessError, MissingError):
            return request.redirect("/my/partner/resources")
        if not resource.cobranded:
            return request.redirect("/my/partner/resources")
        resource._prm_record_download(request.env.user, cobranded=True)
        report = request.env.ref("prm_portal.action_report_resource_cobranded").sudo()
        pdf, _type = report._render_qweb_pdf(
            report, resource.ids, data={"prm_partner_id": partner.id}
        )
        filename = f"{resource.name} - {partner.name}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )

    # ------------------------------------------------------------------
    # Partner Admin: the company's portal users
    # ------------------------------------------------------------------

    def _prm_company_users(self, partner):
        """Portal users of the partner company (read with sudo, scoped)."""
        return (
            request.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("share", "=", True), ("commercial_partner_id", "=", partner.id)],
                order="name",
            )
        )

    def _prm_company_user(self, partner, user_id):
        user = self._prm_company_users(partner).filtered(lambda u: u.id == user_id)
        if not user:
            raise MissingError(request.env._("This user does not exist."))
        return user

    @http.route("/my/partner/users", type="http", auth="user", website=True)
    def prm_users(self, **kw):
        partner = self._prm_partner()
        if not partner or not self._prm_is_partner_admin():
            return request.redirect("/my")
        users = self._prm_company_users(partner)
        values = self._prm_layout_values(
            "prm_users",
            prm_breadcrumb=request.env._("Users"),
            users=users,
            admin_group=request.env.ref("prm_base.group_prm_partner_admin"),
            error=kw.get("error"),
            message=kw.get("message"),
            invite=kw,
        )
        return request.render("prm_portal.portal_partner_users", values)

    def _prm_users_redirect(self, message=None, error=None):
        if error:
            return request.redirect("/my/partner/users?error=%s" % quote(error))
        return request.redirect("/my/partner/users?message=%s" % quote(message or ""))

    @http.route(
        "/my/partner/users/invite",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_users_invite(self, name="", email="", role="member", **kw):
        partner = self._prm_partner()
        if not partner or not self._prm_is_partner_admin():
            return request.redirect("/my")
        env = request.env
        name, email = name.strip(), (email_normalize(email) or "")
        if not name or len(name) > 128:
            return self._prm_users_redirect(error=env._("Enter the person's name."))
        if not email or len(email) > FIELD_MAX_LENGTH["contact_email"]:
            return self._prm_users_redirect(error=env._("Enter a valid email address."))
        if role not in ("admin", "member"):
            return self._prm_users_redirect(error=env._("Choose a role."))
        Users = env["res.users"].sudo().with_context(active_test=False)
        if Users.search_count([("login", "=ilike", email)], limit=1):
            return self._prm_users_redirect(
                error=env._("%s already has an account.", email)
            )
        contact = (
            env["res.partner"]
            .sudo()
            .create({"name": name, "email": email, "parent_id": partner.id})
        )
        wizard = (
            env["portal.wizard"]
            .sudo()
            .create({"partner_ids": [fields.Command.set(contact.ids)]})
        )
        wizard.user_ids.action_grant_access()
        user = contact.with_context(active_test=False).user_ids[:1]
        user.sudo()._prm_set_portal_role(role)
        return self._prm_users_redirect(message=env._("%s is invited.", email))

    @http.route(
        "/my/partner/users/<int:user_id>/<string:action>",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_users_update(self, user_id, action, **kw):
        partner = self._prm_partner()
        if not partner or not self._prm_is_partner_admin():
            return request.redirect("/my")
        env = request.env
        try:
            user = self._prm_company_user(partner, user_id)
        except MissingError:
            return request.redirect("/my/partner/users")
        if user == env.user:
            return self._prm_users_redirect(
                error=env._("You cannot change your own access.")
            )
        if action == "deactivate":
            user.active = False
        elif action == "activate":
            user.active = True
        elif action in ("admin", "member"):
            user._prm_set_portal_role(action)
        else:
            return request.redirect("/my/partner/users")
        return self._prm_users_redirect(message=env._("%s is updated.", user.name))


def _to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
