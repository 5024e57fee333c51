# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import quote

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class PrmPortal(CustomerPortal):
    """The partner-facing shell: feature addons subclass it for their pages."""

    # ------------------------------------------------------------------
    # Helpers shared by every PRM portal page
    # ------------------------------------------------------------------

    def _prm_partner(self):
        """The program partner of the current portal user (empty if none)."""
        return request.env.user._prm_portal_partner()

    def _prm_is_partner_admin(self):
        return request.env.user._prm_portal_role() == "admin"

    def _prm_layout_values(self, page_name, **values):
        values = dict(
            self._prepare_portal_layout_values(),
            page_name=page_name,
            prm_partner=self._prm_partner(),
            prm_is_admin=self._prm_is_partner_admin(),
            **values,
        )
        return values

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prm_partner_count" in counters:
            values["prm_partner_count"] = 1 if self._prm_partner() else 0
        return values

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------

    def _prm_dashboard_values(self, partner):
        user_partner = request.env.user.partner_id
        next_grade, progress = partner._prm_tier_progress()
        manager = partner.sudo().prm_channel_manager_id
        Agreement = request.env["prm.agreement"]
        agreements = (
            Agreement.search([("partner_id", "=", partner.id)], order="date_end")
            if Agreement.has_access("read")
            else Agreement
        )
        return {
            "partner": partner,
            "user_partner": user_partner,
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
        try:
            agreement = request.env["prm.agreement"].browse(agreement_id).exists()
            agreement.check_access("read")
            if agreement.partner_id != partner:
                raise AccessError(request.env._("Not your agreement."))
            agreement._portal_accept(
                request.env.user, request.httprequest.remote_addr or ""
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect("/my/partner?prm_error=%s" % quote(str(error)))
        return request.redirect("/my/partner?prm_message=accepted#prm_agreements")
