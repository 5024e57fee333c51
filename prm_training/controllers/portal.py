# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import OrderedDict

from odoo import http
from odoo.http import request

from odoo.addons.prm_portal.controllers.portal import PrmPortal


class PrmTrainingPortal(PrmPortal):
    """``/my/certifications``: the certifications a partner's people hold.

    What a user sees comes from the record rules: a Partner Admin sees the
    whole company's certifications, a Partner Member only their own.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prm_certification_count" in counters:
            PartnerCertification = request.env["prm.partner.certification"]
            partner = self._prm_partner()
            values["prm_certification_count"] = (
                PartnerCertification.search_count(
                    self._prm_certification_domain(partner)
                )
                if partner and PartnerCertification.has_access("read")
                else 0
            )
        return values

    def _prm_certification_domain(self, partner):
        return [("commercial_partner_id", "=", partner.id)]

    def _prm_certification_searchbar_sortings(self):
        _ = request.env._
        return {
            "state": {"label": _("Status"), "order": "state desc, expiry_date"},
            "expiry": {"label": _("Expiry Date"), "order": "expiry_date, id"},
            "obtained": {
                "label": _("Date Obtained"),
                "order": "date_obtained desc, id desc",
            },
            "person": {"label": _("Person"), "order": "partner_id, expiry_date"},
        }

    def _prm_certification_searchbar_filters(self):
        _ = request.env._
        return OrderedDict(
            [
                ("all", {"label": _("All"), "domain": []}),
                ("valid", {"label": _("Valid"), "domain": [("state", "=", "valid")]}),
                (
                    "expiring",
                    {
                        "label": _("Expiring Soon"),
                        "domain": [("state", "=", "expiring")],
                    },
                ),
                (
                    "expired",
                    {"label": _("Expired"), "domain": [("state", "=", "expired")]},
                ),
            ]
        )

    def _prm_available_training(self, partner, held):
        """What the user can take next: the certifications meant for the
        partner that the user does not hold yet (or must renew), with where to
        take them, and the courses open to the partner.

        Courses come from a search under the record rules, which hide the
        courses of other tiers and partner types. A certification links to its
        course when the user can see it, else to its survey when that one is
        open to everyone (read as superuser for the link only).
        """
        Certification = request.env["prm.certification"]
        certifications = Certification.search(
            Certification._prm_applicable_domain(partner)
        )
        courses = request.env["slide.channel"].search(
            [
                ("website_published", "=", True),
                "|",
                ("id", "in", certifications.channel_id.ids),
                ("prm_is_restricted", "=", True),
            ]
        )
        available = []
        for certification in certifications - held:
            course = courses.filtered(
                lambda c, cert=certification: c.id == cert.channel_id.id
            )
            survey_sudo = certification.sudo().survey_id
            url = course.website_url if course else False
            if not url and survey_sudo.access_mode == "public":
                url = survey_sudo.get_start_url()
            available.append(
                {"certification": certification, "course": course, "url": url}
            )
        return available, courses

    @http.route(
        ["/my/certifications", "/my/certifications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def prm_portal_my_certifications(
        self, page=1, sortby="state", filterby="all", **kw
    ):
        partner = self._prm_partner()
        if not partner:
            return request.redirect("/my")
        PartnerCertification = request.env["prm.partner.certification"]
        searchbar_sortings = self._prm_certification_searchbar_sortings()
        searchbar_filters = self._prm_certification_searchbar_filters()
        sortby = sortby if sortby in searchbar_sortings else "state"
        filterby = filterby if filterby in searchbar_filters else "all"
        domain = (
            self._prm_certification_domain(partner)
            + searchbar_filters[filterby]["domain"]
        )
        certifications, pager = self._prm_paged_search(
            PartnerCertification,
            domain,
            "/my/certifications",
            page,
            searchbar_sortings[sortby]["order"],
            url_args={"sortby": sortby, "filterby": filterby},
        )
        states = dict(
            PartnerCertification._fields["state"]._description_selection(request.env)
        )
        groups = [
            (
                state,
                states[state],
                certifications.filtered(lambda c, s=state: c.state == s),
            )
            for state in ("valid", "expiring", "expired")
        ]
        held = PartnerCertification.search(
            [
                ("partner_id", "=", request.env.user.partner_id.id),
                ("state", "=", "valid"),
            ]
        ).certification_id
        available, courses = self._prm_available_training(partner, held)
        values = self._prm_layout_values(
            "prm_certifications",
            prm_breadcrumb=request.env._("Certifications"),
            certifications=certifications,
            certification_groups=[group for group in groups if group[2]],
            available_certifications=available,
            courses=courses,
            pager=pager,
            default_url="/my/certifications",
            searchbar_sortings=searchbar_sortings,
            sortby=sortby,
            searchbar_filters=searchbar_filters,
            filterby=filterby,
        )
        request.session["my_certifications_history"] = certifications.ids[:100]
        return request.render("prm_training.portal_my_certifications", values)

    @http.route(
        "/my/certifications/<int:certification_id>",
        type="http",
        auth="user",
        website=True,
    )
    def prm_portal_certification(self, certification_id, **kw):
        # Confidential: record rules decide, an access token opens nothing.
        certification = self._prm_document_get(
            "prm.partner.certification", certification_id
        )
        if not certification:
            return request.redirect("/my")
        certification_sudo = certification.sudo()
        values = self._get_page_view_values(
            certification_sudo,
            None,
            self._prm_layout_values(
                "prm_certification",
                prm_breadcrumb=certification_sudo.certification_id.name,
                certification=certification_sudo,
            ),
            "my_certifications_history",
            False,
        )
        return request.render("prm_training.portal_my_certification", values)

    @http.route(
        "/my/certifications/<int:certification_id>/certificate",
        type="http",
        auth="user",
        website=True,
    )
    def prm_portal_certificate(self, certification_id, download=False, **kw):
        # Confidential: record rules decide, an access token opens nothing.
        certification = self._prm_document_get(
            "prm.partner.certification", certification_id
        )
        if not certification:
            return request.redirect("/my")
        certification_sudo = certification.sudo()
        if not certification_sudo.user_input_id:
            return request.redirect(certification_sudo.get_portal_url())
        return self._show_report(
            model=certification_sudo,
            report_type="pdf",
            report_ref="prm_training.action_report_partner_certificate",
            download=download,
        )
