# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import quote, urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.prm_portal.controllers.portal import PrmPortal, _to_int


class PrmCommissionPortal(PrmPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prm_commission_count" in counters:
            Statement = request.env["prm.commission.statement"]
            partner = self._prm_partner()
            values["prm_commission_count"] = (
                Statement.search_count(self._prm_commission_domain(partner))
                if partner and Statement.has_access("read")
                else 0
            )
        return values

    def _prm_commission_domain(self, partner):
        return [("partner_id", "=", partner.id), ("state", "!=", "cancel")]

    def _prm_commission_searchbar_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest"), "order": "date_to desc, id desc"},
            "name": {"label": env._("Reference"), "order": "name desc"},
            "amount": {"label": env._("Amount"), "order": "amount_total desc"},
        }

    def _prm_commission_searchbar_filters(self):
        env = request.env
        return {
            "all": {"label": env._("All"), "domain": []},
            "draft": {"label": env._("In Review"), "domain": [("state", "=", "draft")]},
            "approved": {
                "label": env._("Approved"),
                "domain": [("state", "=", "approved")],
            },
            "billed": {"label": env._("Billed"), "domain": [("state", "=", "billed")]},
            "paid": {"label": env._("Paid"), "domain": [("state", "=", "paid")]},
        }

    def _prm_commission_access(self):
        """The program partner of a user who may see commissions, or empty."""
        partner = self._prm_partner().sudo(False)
        if not partner or not request.env["prm.commission.statement"].has_access(
            "read"
        ):
            return partner.browse()
        return partner

    def _prm_commission_lines_url(self, page, sortby, filterby, lines_page):
        """``/my/commissions`` on another page of the lines outside of
        statements, the statements list unchanged."""
        path = f"/my/commissions/page/{page}" if int(page) > 1 else "/my/commissions"
        query = {"sortby": sortby, "filterby": filterby, "lines_page": lines_page}
        return f"{path}?{urlencode(query)}#prm_commission_pending"

    @http.route(
        ["/my/commissions", "/my/commissions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def prm_commissions(self, page=1, sortby=None, filterby=None, **kw):
        partner = self._prm_commission_access()
        if not partner:
            return request.redirect("/my")
        Statement = request.env["prm.commission.statement"]
        Line = request.env["prm.commission.line"]
        sortings = self._prm_commission_searchbar_sortings()
        filters = self._prm_commission_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = self._prm_commission_domain(partner) + filters[filterby]["domain"]
        statements, pager = self._prm_paged_search(
            Statement,
            domain,
            "/my/commissions",
            page,
            sortings[sortby]["order"],
            url_args={"sortby": sortby, "filterby": filterby},
        )
        # lines outside of statements, a page at a time (no count: a partner
        # may have thousands of them)
        lines_page = min(max(_to_int(kw.get("lines_page")), 1), 100_000)
        step = self._items_per_page
        pending_lines = Line.search(
            [("partner_id", "=", partner.id), ("statement_id", "=", False)],
            limit=step + 1,
            offset=(lines_page - 1) * step,
        )
        values = self._prm_layout_values(
            "prm_commissions",
            prm_breadcrumb=request.env._("Commissions"),
            statements=statements,
            pending_lines=pending_lines[:step],
            lines_newer_url=self._prm_commission_lines_url(
                page, sortby, filterby, lines_page - 1
            )
            if lines_page > 1
            else False,
            lines_older_url=self._prm_commission_lines_url(
                page, sortby, filterby, lines_page + 1
            )
            if len(pending_lines) > step
            else False,
            summary=partner.sudo(False)._prm_commission_summary(),
            pager=pager,
            default_url="/my/commissions",
            searchbar_sortings=sortings,
            sortby=sortby,
            searchbar_filters=filters,
            filterby=filterby,
            prm_message=kw.get("prm_message"),
            prm_error=kw.get("prm_error"),
        )
        return request.render("prm_commission.portal_my_commissions", values)

    @http.route(
        "/my/commissions/<int:statement_id>",
        type="http",
        auth="user",
        website=True,
    )
    def prm_commission_statement(
        self, statement_id, report_type=None, download=False, **kw
    ):
        # Confidential: Partner Admins reach their own statements through
        # record rules; an access token opens nothing.
        statement = request.env["prm.commission.statement"]
        if self._prm_commission_access():
            statement = self._prm_document_get("prm.commission.statement", statement_id)
        if not statement:
            return request.redirect("/my")
        statement_sudo = statement.sudo()
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=statement_sudo,
                report_type=report_type,
                report_ref="prm_commission.action_report_commission_statement",
                download=download,
            )
        values = self._prm_layout_values(
            "prm_commission_statement",
            prm_breadcrumb=statement_sudo.name,
            statement=statement_sudo,
            can_dispute=statement_sudo.state in ("draft", "approved")
            and self._prm_commission_access() == statement_sudo.partner_id,
            prm_message=kw.get("prm_message"),
            prm_error=kw.get("prm_error"),
        )
        values = self._get_page_view_values(
            statement_sudo, None, values, "my_commissions_history", False
        )
        return request.render("prm_commission.portal_my_commission_statement", values)

    @http.route(
        "/my/commissions/line/<int:line_id>/dispute",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def prm_commission_dispute(self, line_id, reason=None, **kw):
        partner = self._prm_commission_access()
        if not partner:
            return request.redirect("/my")
        try:
            line = request.env["prm.commission.line"].browse(line_id).exists()
            if not line:
                raise MissingError(request.env._("This line does not exist."))
            line.check_access("read")
            if line.partner_id != partner:
                raise AccessError(request.env._("Not your commission line."))
            url = (
                f"/my/commissions/{line.statement_id.id}"
                if line.statement_id
                else "/my/commissions"
            )
            line._prm_portal_dispute(reason, request.env.user)
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect(f"{url}?prm_error={quote(str(error))}")
        return request.redirect(f"{url}?prm_message=disputed")
