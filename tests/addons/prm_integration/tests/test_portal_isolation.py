# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal isolation, enumerated from Odoo's routing map.

Every ``/my/...`` and ``/partners/...`` route served by a PRM controller is
collected from the routing map, so a new route cannot escape the probe: the
test fails until the route is classified in ``ROUTE_ACCESS`` (who may open it)
and each of its record parameters is mapped in ``PARAM_MODELS``.

Each record-bearing route is then requested with other partners' record ids
(and their portal access tokens) by a Partner Admin and a Partner Member of a
different partner, and every route by an anonymous visitor; Partner Admin-only
routes are also requested by a Partner Member of the same partner. Every
attempt must end in 403/404 or a redirect, with no foreign data in the body
and the foreign record unchanged. Positive controls prove the probe is not
vacuous: the same users open their own records.

The probe reads the addons' demo data (the repository's test command installs
it): the probing users belong to the demo partner Duna IT Solutions Kft.,
every record of another partner is a foreign record.
"""

import logging
import re

from odoo import Command, http
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

PROBING_PARTNER = "prm_base.prm_partner_budapest_it"

# Who may open a route: "public" (anyone), "member" (Partner Members and
# Partner Admins; the page shows what record rules let each one read) or
# "admin" (Partner Admins only).
ROUTE_ACCESS = {
    "/partners/apply": "public",
    "/my/partner": "member",
    "/my/partner/agreement/<int:agreement_id>/accept": "admin",
    "/my/partner/resources": "member",
    "/my/partner/resources/page/<int:page>": "member",
    "/my/partner/resources/<int:resource_id>/download": "member",
    "/my/partner/resources/<int:resource_id>/cobranded": "member",
    "/my/partner/users": "admin",
    "/my/partner/users/invite": "admin",
    "/my/partner/users/<int:user_id>/<string:action>": "admin",
    "/my/deals": "member",
    "/my/deals/page/<int:page>": "member",
    "/my/deals/new": "member",
    "/my/deals/<int:deal_id>": "member",
    "/my/deals/<int:deal_id>/edit": "member",
    "/my/deals/<int:deal_id>/submit": "member",
    "/my/deals/<int:deal_id>/extend": "member",
    "/my/leads/offers": "member",
    "/my/leads/offers/page/<int:page>": "member",
    "/my/leads/offers/<int:offer_id>/accept": "member",
    "/my/leads/offers/<int:offer_id>/decline": "member",
    "/my/funds": "member",
    "/my/funds/page/<int:page>": "member",
    "/my/funds/request/new": "member",
    "/my/funds/request/<int:request_id>": "member",
    "/my/funds/request/<int:request_id>/edit": "member",
    "/my/funds/request/<int:request_id>/submit": "member",
    "/my/funds/request/<int:request_id>/cancel": "member",
    "/my/funds/request/<int:request_id>/claim": "member",
    "/my/commissions": "admin",
    "/my/commissions/page/<int:page>": "admin",
    "/my/commissions/<int:statement_id>": "admin",
    "/my/commissions/line/<int:line_id>/dispute": "admin",
    "/my/certifications": "member",
    "/my/certifications/page/<int:page>": "member",
    "/my/certifications/<int:certification_id>": "member",
    "/my/certifications/<int:certification_id>/certificate": "member",
}

# The model behind every record parameter of a PRM route.
PARAM_MODELS = {
    "agreement_id": "prm.agreement",
    "resource_id": "prm.resource",
    "user_id": "res.users",
    "deal_id": "prm.deal.registration",
    "offer_id": "prm.lead.offer",
    "request_id": "prm.mdf.request",
    "statement_id": "prm.commission.statement",
    "line_id": "prm.commission.line",
    "certification_id": "prm.partner.certification",
}
# Parameters that do not designate a record, with the values tried.
PLAIN_PARAMS = {
    "page": ["1"],
    "action": ["deactivate", "admin"],
}
FOREIGN_RECORDS_PER_MODEL = 3
PARAM_RE = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")


@tagged("post_install", "-at_install")
class TestPortalIsolation(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.partner = cls.env.ref(PROBING_PARTNER)
        cls.admin = cls._portal_user("probe_admin", "admin")
        cls.member = cls._portal_user("probe_member", "member")
        cls.routes = cls._prm_routes()
        # a resource restricted to a tier the probing partner does not have
        other_tier = cls.env["res.partner.grade"].create(
            {"name": "Probe Restricted Tier", "prm_rank": 999}
        )
        cls.env["prm.resource"].create(
            {
                "name": "Probe Restricted Price List",
                "resource_type": "url",
                "url": "https://example.com/probe-restricted",
                "grade_ids": [Command.set(other_tier.ids)],
                "state": "published",
            }
        )
        cls.attempts = 0

    @classmethod
    def _portal_user(cls, login, role):
        groups = ["base.group_portal", f"prm_base.group_prm_partner_{role}"]
        return cls.env["res.users"].create(
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "password": login,
                "email": f"{login}@probe.example.com",
                "parent_id": cls.partner.id,
                "groups_id": [Command.set([cls.env.ref(g).id for g in groups])],
            }
        )

    @classmethod
    def _prm_routes(cls):
        """``{rule: (methods, endpoint name)}`` of every PRM portal route."""
        routes = {}
        for rule in cls.env["ir.http"].routing_map().iter_rules():
            endpoint = getattr(rule.endpoint, "original_endpoint", rule.endpoint)
            module = getattr(endpoint, "__module__", "") or ""
            if not module.startswith("odoo.addons.prm_"):
                continue
            if not rule.rule.startswith(("/my", "/partners")):
                continue
            methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
            routes[rule.rule] = (methods or {"GET"}, endpoint.__qualname__)
        return routes

    # ------------------------------------------------------------------
    # Records
    # ------------------------------------------------------------------

    def _owner(self, record):
        """The commercial partner a record belongs to (False: shared)."""
        if record._name == "res.users":
            return record.commercial_partner_id
        if record._name == "prm.resource":
            return False
        return record.partner_id.commercial_partner_id

    def _foreign_records(self, model):
        """Records of ``model`` the probing partner must not reach."""
        Model = self.env[model].sudo().with_context(active_test=False)
        if model == "prm.resource":
            # shared records: foreign are those its tier and type exclude
            visible = Model.with_user(self.admin).search([])
            records = Model.search([("id", "not in", visible.ids)], order="id")
        elif model == "res.users":
            records = Model.search(
                [("commercial_partner_id", "!=", self.partner.id)], order="id"
            )
            portal = records.filtered("share")
            records = portal[: FOREIGN_RECORDS_PER_MODEL - 1] | self.env.ref(
                "base.user_admin"
            )
        else:
            records = Model.search([], order="id").filtered(
                lambda r: self._owner(r) != self.partner
            )
        return records[:FOREIGN_RECORDS_PER_MODEL]

    def _own_records(self, model):
        Model = self.env[model].sudo()
        if model in ("prm.resource", "res.users"):
            return Model.browse()
        return Model.search([], order="id").filtered(
            lambda r: self._owner(r) == self.partner
        )

    def _markers(self, record):
        """Texts of a foreign record that must not show in a response."""
        markers = set()
        owner = self._owner(record)
        if owner and owner != self.partner:
            markers.add(owner.name)
        name = record.display_name or ""
        if len(name) >= 8:
            markers.add(name)
        if record._name == "res.users":
            markers.add(record.login)
        return {marker for marker in markers if marker}

    def _snapshot(self, record):
        record = record.sudo().with_context(active_test=False)
        record.invalidate_recordset()
        fields_ = ["write_date"]
        if "active" in record._fields:
            fields_.append("active")
        if "state" in record._fields:
            fields_.append("state")
        return record.read(fields_)

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def _url(self, rule, values):
        return PARAM_RE.sub(lambda match: str(values[match.group(1)]), rule)

    def _request(self, method, url, with_csrf=True):
        self.attempts += 1
        if method == "GET":
            return self.url_open(url, allow_redirects=False)
        data = {"csrf_token": http.Request.csrf_token(self)} if with_csrf else {}
        return self.url_open(url, data=data, allow_redirects=False)

    def assertRefused(self, response, markers, what):
        self.assertTrue(
            response.status_code in (403, 404) or 300 <= response.status_code < 400,
            f"{what}: answered {response.status_code}",
        )
        for marker in markers:
            self.assertFalse(marker in response.text, f"{what}: shows {marker!r}")

    def _params(self, rule):
        return PARAM_RE.findall(rule)

    def _plain_combinations(self, rule):
        """Values for the plain parameters of a rule (one combination each)."""
        plain = [p for p in self._params(rule) if p in PLAIN_PARAMS]
        if not plain:
            return [{}]
        combos = [{}]
        for param in plain:
            combos = [
                dict(combo, **{param: value})
                for combo in combos
                for value in PLAIN_PARAMS[param]
            ]
        return combos

    def _probe_foreign(self, user, rule, methods):
        """``user`` requests ``rule`` with every foreign record id."""
        record_params = [p for p in self._params(rule) if p in PARAM_MODELS]
        self.assertLessEqual(len(record_params), 1, rule)
        param = record_params[0]
        model = PARAM_MODELS[param]
        foreign = self._foreign_records(model)
        self.assertTrue(foreign, f"no foreign {model} record to probe {rule} with")
        missing_id = self.env[model].sudo().search([], order="id desc", limit=1).id
        candidates = [(record, record.id) for record in foreign]
        candidates.append((self.env[model].browse(), missing_id + 1000))
        for record, record_id in candidates:
            markers = self._markers(record) if record else set()
            token = False
            if record and "access_token" in record._fields and "GET" in methods:
                token = record.sudo()._portal_ensure_token()
            before = self._snapshot(record) if record else None
            for plain in self._plain_combinations(rule):
                url = self._url(rule, dict(plain, **{param: record_id}))
                urls = [url]
                if token:
                    urls.append(f"{url}?access_token={token}")
                for probe_url in urls:
                    for method in sorted(methods):
                        response = self._request(method, probe_url)
                        self.assertRefused(
                            response, markers, f"{user.login} {method} {probe_url}"
                        )
            if record:
                self.assertEqual(
                    self._snapshot(record), before, f"{rule} changed {record}"
                )

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_00_every_route_is_classified(self):
        self.assertTrue(self.routes, "no PRM portal route found in the routing map")
        unclassified = sorted(set(self.routes) - set(ROUTE_ACCESS))
        self.assertFalse(
            unclassified,
            "classify these routes in ROUTE_ACCESS (public/member/admin): %s"
            % unclassified,
        )
        gone = sorted(set(ROUTE_ACCESS) - set(self.routes))
        self.assertFalse(gone, f"routes classified but not served: {gone}")
        for rule in self.routes:
            for param in self._params(rule):
                self.assertIn(
                    param,
                    PARAM_MODELS.keys() | PLAIN_PARAMS.keys(),
                    f"map the parameter {param!r} of {rule} in PARAM_MODELS",
                )

    def test_10_other_partners_records(self):
        record_routes = [
            rule
            for rule in self.routes
            if any(p in PARAM_MODELS for p in self._params(rule))
        ]
        self.assertTrue(record_routes)
        for user in (self.admin, self.member):
            self.authenticate(user.login, user.login)
            for rule in sorted(record_routes):
                methods, _name = self.routes[rule]
                self._probe_foreign(user, rule, methods)
        _logger.info(
            "portal isolation: %s record routes, %s attempts with other "
            "partners' records, 0 leaks",
            len(record_routes),
            self.attempts,
        )

    def test_20_anonymous_visitor(self):
        private = [rule for rule in self.routes if ROUTE_ACCESS[rule] != "public"]
        self.authenticate(None, None)
        with mute_logger("odoo.http"):
            for rule in sorted(private):
                methods, _name = self.routes[rule]
                values = {}
                for param in self._params(rule):
                    if param in PARAM_MODELS:
                        own = self._own_records(PARAM_MODELS[param])
                        foreign = self._foreign_records(PARAM_MODELS[param])
                        values[param] = (own or foreign)[:1].id
                    else:
                        values[param] = PLAIN_PARAMS[param][0]
                url = self._url(rule, values)
                for method in sorted(methods):
                    response = self._request(method, url)
                    self.assertRefused(
                        response, {self.partner.name}, f"anonymous {method} {url}"
                    )
                    if 300 <= response.status_code < 400:
                        self.assertIn("/web/login", response.headers["Location"])
        _logger.info(
            "portal isolation: %s private routes refused to an anonymous visitor "
            "(%s attempts)",
            len(private),
            self.attempts,
        )

    def test_30_member_on_admin_pages(self):
        admin_only = [rule for rule in self.routes if ROUTE_ACCESS[rule] == "admin"]
        self.assertTrue(admin_only)
        colleague = self._portal_user("probe_colleague", "member")
        self.authenticate(self.member.login, self.member.login)
        for rule in sorted(admin_only):
            methods, _name = self.routes[rule]
            values = {}
            markers = {self.admin.login, colleague.login}
            records = self.env["res.users"]
            for param in self._params(rule):
                if param == "user_id":
                    values[param] = colleague.id
                    records = colleague
                elif param in PARAM_MODELS:
                    own = self._own_records(PARAM_MODELS[param])
                    self.assertTrue(own, f"no own record to probe {rule} with")
                    values[param] = own[0].id
                    records = own[0]
                    markers |= self._markers(own[0]) - {self.partner.name}
                else:
                    values[param] = PLAIN_PARAMS[param][0]
            before = self._snapshot(records) if records else None
            for plain in self._plain_combinations(rule):
                url = self._url(rule, dict(values, **plain))
                for method in sorted(methods):
                    response = self._request(method, url)
                    self.assertRefused(response, markers, f"member {method} {url}")
            if records:
                self.assertEqual(self._snapshot(records), before, rule)
        _logger.info(
            "portal isolation: %s Partner Admin pages refused to a Partner Member "
            "(%s attempts)",
            len(admin_only),
            self.attempts,
        )

    def test_40_positive_controls(self):
        """The probing users do open their own pages: the refusals above are
        not the answer to every request."""
        self.authenticate(self.admin.login, self.admin.login)
        opened = 0
        for rule in sorted(self.routes):
            methods, _name = self.routes[rule]
            if "GET" not in methods or ROUTE_ACCESS[rule] == "public":
                continue
            params = self._params(rule)
            record_params = [p for p in params if p in PARAM_MODELS]
            # list pages and record pages (not downloads or actions)
            if record_params and not rule.endswith(f"<int:{record_params[0]}>"):
                continue
            values = {p: PLAIN_PARAMS[p][0] for p in params if p in PLAIN_PARAMS}
            record = None
            if record_params:
                own = self._own_records(PARAM_MODELS[record_params[0]])
                self.assertTrue(own, f"no own record to open {rule} with")
                record = own[0]
                values[record_params[0]] = record.id
            response = self._request("GET", self._url(rule, values))
            self.assertEqual(response.status_code, 200, rule)
            if record:
                title = record.display_name.split(" - ")[0]
                self.assertTrue(title in response.text, f"{rule}: no {title!r}")
            opened += 1
        self.assertGreaterEqual(opened, 10)
