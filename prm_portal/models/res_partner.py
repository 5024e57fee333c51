# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from odoo.addons.prm_base.tools import update_rows

# Program states whose partners are watched for churn.
CHURN_STATES = ("onboarding", "active")
CHURN_LEVELS = [
    ("none", "None"),
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
]
CHURN_RANK = {level: rank for rank, (level, _label) in enumerate(CHURN_LEVELS)}
# Lowest score of each level (the score is the sum of the signal weights).
CHURN_THRESHOLDS = (("high", 60), ("medium", 30), ("low", 1))
NPS_CATEGORIES = [
    ("promoter", "Promoter"),
    ("passive", "Passive"),
    ("detractor", "Detractor"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Churn risk, refreshed daily by ``_cron_prm_churn_risk``
    prm_churn_risk = fields.Selection(
        CHURN_LEVELS,
        string="Churn Risk",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Risk that the partner leaves the program, from the signals below "
        "(falling revenue, no new opportunity, expiring certifications, no "
        "portal login...).",
        groups="prm_base.group_prm_user",
    )
    prm_churn_score = fields.Integer(
        string="Churn Score",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Sum of the weights of the churn signals, from 0 to 100.",
        groups="prm_base.group_prm_user",
    )
    prm_churn_signals = fields.Text(
        string="Churn Signals",
        readonly=True,
        copy=False,
        help="The observations behind the churn risk, one a line.",
        groups="prm_base.group_prm_user",
    )
    prm_churn_date = fields.Datetime(
        string="Churn Risk Computed On",
        readonly=True,
        copy=False,
        groups="prm_base.group_prm_user",
    )
    # Partner satisfaction (NPS survey to the Partner Admins)
    prm_nps_response_ids = fields.One2many(
        "prm.nps.response",
        "partner_id",
        string="NPS Responses",
        groups="prm_base.group_prm_user",
    )
    prm_nps_last_score = fields.Integer(
        string="Last NPS Score",
        readonly=True,
        copy=False,
        help="Last answer (0-10) of the partner to the satisfaction survey.",
        groups="prm_base.group_prm_user",
    )
    prm_nps_last_date = fields.Date(string="Last NPS Answer", readonly=True, copy=False)
    prm_nps_12m = fields.Float(
        string="NPS (12m)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        aggregator="avg",
        help="Net Promoter Score of the partner's answers of the last 12 "
        "months: % promoters (9-10) minus % detractors (0-6), from -100 to 100.",
        groups="prm_base.group_prm_user",
    )
    prm_nps_count_12m = fields.Integer(
        string="NPS Answers (12m)",
        readonly=True,
        copy=False,
        groups="prm_base.group_prm_user",
    )
    prm_nps_invite_date = fields.Date(
        string="NPS Survey Sent On",
        readonly=True,
        copy=False,
        help="Last time the satisfaction survey was sent to the Partner Admins.",
        groups="prm_base.group_prm_user",
    )

    def _prm_portal_tiles(self):
        """Tiles of the partner dashboard (``/my/partner``).

        Called on the program partner with the portal user's environment, so
        record rules apply. Extension hook: feature addons call ``super()`` and
        append dicts with ``sequence``, ``name``, ``value`` (text), ``url``,
        ``icon`` (a Font Awesome class) and optionally ``hint``.
        """
        self.ensure_one()
        tiles = []
        tasks = self.env["prm.onboarding.task"].search([("partner_id", "=", self.id)])
        if tasks:
            done = len(tasks.filtered("done"))
            tiles.append(
                {
                    "sequence": 90,
                    "name": self.env._("Onboarding"),
                    "value": f"{done}/{len(tasks)}",
                    "url": "/my/partner#prm_onboarding",
                    "icon": "fa-check-square-o",
                }
            )
        return sorted(tiles, key=lambda tile: tile["sequence"])

    def _prm_compute_kpis(self):
        """Add the resource downloads of the last 90 days (engagement)."""
        kpis = super()._prm_compute_kpis()
        if not kpis:
            return kpis
        since = fields.Datetime.now() - timedelta(days=90)
        downloads = dict(
            self.env["prm.resource.download"]
            .sudo()
            ._read_group(
                [("partner_id", "in", list(kpis)), ("date", ">=", since)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner, count in downloads.items():
            kpis[partner.id]["resource_downloads_90d"] = count
        for values in kpis.values():
            values.setdefault("resource_downloads_90d", 0)
        return kpis

    # ------------------------------------------------------------------
    # Churn risk
    # ------------------------------------------------------------------

    @api.model
    def _prm_churn_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"prm_portal.{key}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    def _prm_churn_signals(self):
        """Return ``{partner_id: [(weight, message), ...]}`` for ``self``.

        Extension hook: every addon that observes a churn signal calls
        ``super()`` and appends ``(weight, message)`` tuples to the lists of
        the partners concerned. ``weight`` (0-100) adds up to the churn score
        (capped at 100); ``message`` is a translated sentence with the figures
        shown to the channel manager. Implementations must stay set-based: a
        constant number of queries whatever the number of partners in
        ``self``. prm_portal reports falling attributed revenue, no new
        opportunity and no portal login; prm_training adds expiring and
        expired certifications; a deal registration addon would add, say, no
        registration submitted in N days the same way.
        """
        signals = {partner_id: [] for partner_id in self.ids}
        if not self.ids:
            return signals
        today = fields.Date.context_today(self)
        self._prm_churn_revenue_signals(signals, today)
        self._prm_churn_opportunity_signals(signals, today)
        self._prm_churn_login_signals(signals, today)
        return signals

    def _prm_churn_members_since(self, days, today):
        """Partners in the program for at least ``days`` days (a recent member
        has no history to judge)."""
        since = today - timedelta(days=days)
        return self.filtered(
            lambda p: not p.date_partnership or p.date_partnership <= since
        )

    def _prm_churn_revenue_signals(self, signals, today):
        """Attributed revenue of the last N days far below the previous N days.

        Two queries: the attributed revenue of each period as the KPIs
        define it (``_prm_revenue_rows``), converted to the current company's
        currency.
        """
        days = max(self._prm_churn_param("churn_period_days", 90), 1)
        drop_min = self._prm_churn_param("churn_revenue_drop", 30)
        start = today - timedelta(days=days)
        previous_start = start - timedelta(days=days)
        day = timedelta(days=1)
        currency = self.env.company.sudo().currency_id
        recent = self._prm_convert_amounts(
            self._prm_revenue_rows(start + day, today), currency, today
        )
        previous = self._prm_convert_amounts(
            self._prm_revenue_rows(previous_start + day, start), currency, today
        )
        for partner_id, before in previous.items():
            if currency.compare_amounts(before, 0.0) <= 0:
                continue
            now = max(recent.get(partner_id, 0.0), 0.0)
            drop = round(100.0 * (before - now) / before)
            if drop < max(drop_min, 1):
                continue
            signals[partner_id].append(
                (
                    min(40, 15 + drop // 4),
                    self.env._(
                        "Attributed revenue of the last %(days)s days is %(drop)s%% "
                        "below the previous %(days)s days.",
                        days=days,
                        drop=drop,
                    ),
                )
            )

    def _prm_churn_opportunity_signals(self, signals, today):
        """No new opportunity attributed to the partner in N days (deal
        registrations create attributed opportunities too). Two queries."""
        days = max(self._prm_churn_param("churn_opportunity_days", 120), 1)
        partners = self._prm_churn_members_since(days, today)
        if not partners:
            return
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        last_created = dict(
            Lead._read_group(
                [("prm_channel_partner_id", "in", partners.ids)],
                ["prm_channel_partner_id"],
                ["create_date:max"],
            )
        )
        limit = fields.Datetime.to_datetime(today - timedelta(days=days))
        for partner in partners:
            last = last_created.get(partner)
            if last and last >= limit:
                continue
            if last:
                message = self.env._(
                    "No new opportunity or deal registration in %(days)s days "
                    "(last one on %(date)s).",
                    days=(today - last.date()).days,
                    date=format_date(self.env, last.date()),
                )
            else:
                message = self.env._(
                    "No opportunity or deal registration attributed yet."
                )
            signals[partner.id].append((25, message))

    def _prm_churn_login_signals(self, signals, today):
        """No portal login of the partner's users in N days. One query: the
        last login of the active portal users of each partner."""
        days = max(self._prm_churn_param("churn_login_days", 60), 1)
        partners = self._prm_churn_members_since(days, today)
        if not partners:
            return
        self.env["res.users"].flush_model(["share", "active", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["res.users.log"].flush_model(["create_uid", "create_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, MAX(l.create_date)
                  FROM res_users u
                  JOIN res_partner p ON p.id = u.partner_id
                  JOIN res_users_log l ON l.create_uid = u.id
                 WHERE u.share AND u.active
                   AND p.commercial_partner_id = ANY(%(ids)s)
              GROUP BY p.commercial_partner_id
                """,
                ids=partners.ids,
            )
        )
        by_partner = dict(self.env.cr.fetchall())
        limit = fields.Datetime.to_datetime(today - timedelta(days=days))
        for partner in partners:
            last = by_partner.get(partner.id)
            if last and last >= limit:
                continue
            if last:
                message = self.env._(
                    "No Partner Program portal login in %(days)s days.",
                    days=(today - last.date()).days,
                )
            else:
                message = self.env._("No Partner Program portal login yet.")
            signals[partner.id].append((20, message))

    @api.model
    def _prm_churn_level(self, score):
        for level, minimum in CHURN_THRESHOLDS:
            if score >= minimum:
                return level
        return "none"

    def _prm_compute_churn_risk(self):
        """Compute and store the churn risk of the partners in ``self``.

        Set-based: the signal queries, one UPDATE of the levels, scores and
        signals, and one batch of chatter notes for the partners whose risk
        went up. Returns ``{partner_id: level}``.
        """
        partners = self.filtered(lambda p: p.prm_state in CHURN_STATES)
        if not partners:
            return {}
        signals = partners._prm_churn_signals()
        now = fields.Datetime.now()
        values = {}
        levels = {}
        for partner in partners:
            found = sorted(signals.get(partner.id, []), key=lambda s: -s[0])
            score = min(100, sum(weight for weight, _message in found))
            levels[partner.id] = self._prm_churn_level(score)
            values[partner.id] = {
                "prm_churn_score": score,
                "prm_churn_signals": "\n".join(message for _w, message in found)
                or None,
            }
        old_levels = {partner.id: partner.prm_churn_risk for partner in partners}
        for partner_id, level in levels.items():
            values[partner_id]["prm_churn_risk"] = level
        # One UPDATE instead of ``write``: the ORM's partner write runs queries
        # per partner. The rises of the risk level are logged below instead of
        # being tracked.
        update_rows(self.env["res.partner"], values, constants={"prm_churn_date": now})
        raised = [
            pid
            for pid, level in levels.items()
            if CHURN_RANK[level] > CHURN_RANK[old_levels[pid] or "none"]
        ]
        if raised:
            field = self._fields["prm_churn_risk"]
            labels = dict(field._description_selection(self.env))
            bodies = {}
            for partner_id in raised:
                body = Markup("%s") % self.env._(
                    "Churn risk up from %(old)s to %(new)s:",
                    old=labels[old_levels[partner_id] or "none"],
                    new=labels[levels[partner_id]],
                )
                lines = values[partner_id]["prm_churn_signals"] or ""
                body += Markup("<ul>%s</ul>") % Markup().join(
                    Markup("<li>%s</li>") % line for line in lines.split("\n")
                )
                bodies[partner_id] = body
            self.browse(raised)._message_log_batch(bodies)
        return levels

    @api.model
    def _cron_prm_churn_risk(self):
        self.search([("prm_state", "in", CHURN_STATES)])._prm_compute_churn_risk()

    def action_prm_compute_churn(self):
        self._prm_check_program_write({"prm_state": True})
        self.sudo()._prm_compute_churn_risk()
        return True

    # ------------------------------------------------------------------
    # Partner satisfaction (NPS)
    # ------------------------------------------------------------------

    def _prm_update_nps(self):
        """Store the last score and the 12-month NPS of the partners in
        ``self``: two queries whatever the number of partners."""
        if not self.ids:
            return
        Response = self.env["prm.nps.response"].sudo()
        since = fields.Date.context_today(self) - relativedelta(months=12)
        counts = defaultdict(dict)
        for partner, category, count in Response._read_group(
            [("partner_id", "in", self.ids), ("date", ">", since)],
            ["partner_id", "category"],
            ["__count"],
        ):
            counts[partner.id][category] = count
        last = {}
        for response in Response.search(
            [("partner_id", "in", self.ids)], order="date desc, id desc"
        ):
            last.setdefault(response.partner_id.id, response)
        values = {}
        for partner_id in self.ids:
            by_category = counts.get(partner_id, {})
            total = sum(by_category.values())
            nps = (
                100.0
                * (by_category.get("promoter", 0) - by_category.get("detractor", 0))
                / total
                if total
                else 0.0
            )
            response = last.get(partner_id)
            values[partner_id] = {
                "prm_nps_12m": round(nps, 1),
                "prm_nps_count_12m": total,
                "prm_nps_last_score": response.score if response else 0,
                "prm_nps_last_date": response.date if response else None,
            }
        update_rows(self.env["res.partner"], values)

    @api.model
    def _prm_nps_survey(self):
        """The satisfaction survey sent to the partners (Settings)."""
        survey_id = self._prm_churn_param("nps_survey_id", 0)
        survey = self.env["survey.survey"].sudo().browse(survey_id).exists()
        return survey or self.env.ref(
            "prm_portal.survey_partner_satisfaction", raise_if_not_found=False
        )

    @api.model
    def _cron_prm_nps_invite(self):
        """Invite the Partner Admins of the active partners to the survey, at
        most once per interval and partner."""
        survey = self._prm_nps_survey()
        if not survey or not survey.active:
            return self.env["survey.user_input"]
        months = max(self._prm_churn_param("nps_interval_months", 3), 1)
        today = fields.Date.context_today(self)
        partners = self.search(
            [
                ("prm_state", "=", "active"),
                "|",
                ("prm_nps_invite_date", "=", False),
                ("prm_nps_invite_date", "<=", today - relativedelta(months=months)),
            ]
        )
        return partners._prm_nps_invite(survey)

    def _prm_nps_invite(self, survey):
        """Create a personal survey answer for every Partner Admin of the
        partners and email them its link."""
        admin_group = self.env.ref("prm_base.group_prm_partner_admin")
        admins = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", True),
                    ("commercial_partner_id", "in", self.ids),
                    ("groups_id", "in", admin_group.ids),
                ]
            )
        )
        answers = self.env["survey.user_input"].sudo()
        if not admins:
            return answers
        survey = survey.sudo()
        for admin in admins:
            answers |= survey._create_answer(user=admin, check_attempts=False)
        template = self.env.ref("prm_portal.mail_template_nps_survey")
        for answer in answers:
            template.send_mail(
                answer.id, email_layout_xmlid="mail.mail_notification_light"
            )
        admins.commercial_partner_id.sudo().write(
            {"prm_nps_invite_date": fields.Date.context_today(self)}
        )
        return answers
