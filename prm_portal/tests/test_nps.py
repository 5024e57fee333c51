# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PrmPortalCommon


@tagged("post_install", "-at_install")
class TestNps(PrmPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env.ref("prm_portal.survey_partner_satisfaction")
        cls.q_score = cls.env.ref("prm_portal.survey_partner_satisfaction_q_score")
        cls.q_comment = cls.env.ref("prm_portal.survey_partner_satisfaction_q_comment")
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.Response = cls.env["prm.nps.response"]
        # Partners of the database are not part of these tests
        cls.env["res.partner"].search(
            [("prm_state", "=", "active"), ("id", "not in", cls.partner_ids())]
        ).write({"prm_nps_invite_date": cls.today})

    @classmethod
    def partner_ids(cls):
        return (cls.partner_a | cls.partner_b).ids

    def _answer(self, user, score, comment=None):
        answer = self.survey.sudo()._create_answer(user=user)
        answer._save_lines(self.q_score, str(score))
        if comment:
            answer._save_lines(self.q_comment, comment)
        answer._mark_done()
        return answer

    def _responses(self, partner):
        return self.Response.search([("partner_id", "=", partner.id)])

    def test_completed_answer_records_one_response(self):
        answer = self._answer(self.admin_a, 9, "Great program")
        response = self._responses(self.partner_a)
        self.assertEqual(len(response), 1)
        self.assertEqual(response.score, 9)
        self.assertEqual(response.category, "promoter")
        self.assertEqual(response.nps_value, 100)
        self.assertEqual(response.comment, "Great program")
        self.assertEqual(response.user_id, self.admin_a)
        self.assertEqual(response.user_input_id, answer)
        self.assertEqual(response.grade_id, self.partner_a.grade_id)
        self.assertEqual(response.country_id, self.env.ref("base.hu"))
        self.assertEqual(self.partner_a.prm_nps_last_score, 9)
        self.assertEqual(self.partner_a.prm_nps_12m, 100.0)
        # answering (or completing) again does not duplicate
        answer._mark_done()
        answer.write({"state": "done"})
        self.assertEqual(len(self._responses(self.partner_a)), 1)
        self._answer(self.admin_a, 7)
        responses = self._responses(self.partner_a)
        self.assertEqual(len(responses), 2)
        self.assertEqual(sorted(responses.mapped("category")), ["passive", "promoter"])

    def test_categories(self):
        for score, category in ((10, "promoter"), (8, "passive"), (6, "detractor")):
            self._answer(self.admin_a, score)
            self.assertEqual(self._responses(self.partner_a)[:1].category, category)

    def test_other_surveys_are_ignored(self):
        other = self.survey.copy({"prm_nps": False})
        answer = other.sudo()._create_answer(user=self.admin_a)
        answer._save_lines(
            other.question_ids.filtered(lambda q: q.question_type == "scale"), "3"
        )
        answer._mark_done()
        self.assertFalse(self._responses(self.partner_a))

    def test_nps_calculation(self):
        def respond(partner, scores, days_ago=10):
            self.Response.create(
                [
                    {
                        "partner_id": partner.id,
                        "date": self.today - timedelta(days=days_ago),
                        "score": score,
                    }
                    for score in scores
                ]
            )

        respond(self.partner_a, [10, 9, 8, 6, 3])
        respond(self.partner_b, [10, 10, 7, 0])
        # answers older than 12 months do not count
        respond(self.partner_b, [0, 0, 0], days_ago=400)
        respond(self.partner_b, [4], days_ago=1)
        self.assertEqual(self.partner_a.prm_nps_12m, 0.0)
        self.assertEqual(self.partner_a.prm_nps_count_12m, 5)
        # promoters 2, detractors 2 of 5
        self.assertEqual(self.partner_b.prm_nps_12m, 0.0)
        self.assertEqual(self.partner_b.prm_nps_count_12m, 5)
        self.assertEqual(self.partner_b.prm_nps_last_score, 4)
        self.assertEqual(self.partner_b.prm_nps_last_date, self.today - timedelta(1))
        self._responses(self.partner_b).filtered(lambda r: r.score == 4).unlink()
        # promoters 2, detractors 1 of 4
        self.assertEqual(self.partner_b.prm_nps_12m, 25.0)
        # the average of the NPS measure over a group is its NPS
        groups = self.Response._read_group(
            [
                ("partner_id", "in", self.partner_ids()),
                ("date", ">", self.today - relativedelta(months=12)),
            ],
            ["partner_id"],
            ["nps_value:avg"],
        )
        self.assertEqual(
            {partner: value for partner, value in groups},
            {self.partner_a: 0.0, self.partner_b: 25.0},
        )

    def test_invitations(self):
        partner_c = self.env["res.partner"].create(
            {
                "name": "Charlie Suspended Ltd",
                "is_company": True,
                "prm_state": "active",
                "prm_partner_type": "reseller",
            }
        )
        admin_c = self._portal_user("charlie_admin", partner_c, "admin")
        partner_c.prm_state = "suspended"
        answers = self.env["res.partner"]._cron_prm_nps_invite()
        self.assertEqual(answers.partner_id, (self.admin_a | self.admin_b).partner_id)
        self.assertNotIn(self.member_a.partner_id, answers.partner_id)
        self.assertNotIn(admin_c.partner_id, answers.partner_id)
        self.assertEqual(answers.survey_id, self.survey)
        self.assertEqual(self.partner_a.prm_nps_invite_date, self.today)
        self.assertFalse(partner_c.prm_nps_invite_date)
        answer_a = answers.filtered(lambda a: a.partner_id == self.admin_a.partner_id)
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.admin_a.partner_id.ids)],
            order="id desc",
            limit=1,
        )
        self.assertIn(answer_a.access_token, mail.body_html)
        self.assertIn(self.survey.access_token, mail.body_html)
        # not twice within the interval
        self.assertFalse(self.env["res.partner"]._cron_prm_nps_invite())
        # again once the interval has passed
        self.partner_a.prm_nps_invite_date = self.today - relativedelta(months=3)
        again = self.env["res.partner"]._cron_prm_nps_invite()
        self.assertEqual(again.partner_id, self.admin_a.partner_id)
        # a longer interval from the settings
        self.env["res.config.settings"].create({"prm_nps_interval_months": 6}).execute()
        self.partner_a.prm_nps_invite_date = self.today - relativedelta(months=3)
        self.assertFalse(self.env["res.partner"]._cron_prm_nps_invite())

    def test_foreign_token_gives_no_access(self):
        answer_a = self._answer(self.admin_a, 2, "Alpha confidential remark")
        pending_a = self.survey.sudo()._create_answer(user=self.admin_a)
        self.login(self.admin_b)
        survey_token = self.survey.access_token
        for url in (
            f"/survey/print/{survey_token}?answer_token={answer_a.access_token}",
            f"/survey/{survey_token}/{answer_a.access_token}",
            f"/survey/start/{survey_token}?answer_token={pending_a.access_token}",
            f"/survey/{survey_token}/{pending_a.access_token}",
        ):
            response = self.url_open(url)
            self.assertNotIn("Alpha confidential remark", response.text, url)
            self.assertNotIn("Alpha Reseller", response.text, url)
            self.assertNotIn("Alpha Admin", response.text, url)
        self.assertEqual(pending_a.state, "new")
        # the respondent opens their own answer
        self.login(self.admin_a)
        response = self.url_open(
            f"/survey/print/{survey_token}?answer_token={answer_a.access_token}"
        )
        self.assertIn("Alpha confidential remark", response.text)

    def test_portal_users_cannot_read_responses(self):
        self._answer(self.admin_a, 9)
        self.assertFalse(self.Response.with_user(self.admin_a).has_access("read"))

    def test_portal_users_cannot_read_churn_and_nps_figures(self):
        self.partner_a.sudo()._prm_compute_churn_risk()
        self._answer(self.admin_a, 3)
        for field in ("prm_churn_risk", "prm_churn_signals", "prm_nps_12m"):
            with self.assertRaises(AccessError):
                self.partner_a.with_user(self.admin_a).read([field])

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "PRM Company B"})
        self._answer(self.admin_a, 9)
        self.Response.sudo().create(
            {
                "partner_id": self.partner_b.id,
                "date": self.today,
                "score": 3,
                "company_id": company_b.id,
            }
        )
        manager_b = mail_new_test_user(
            self.env,
            login="prm_manager_company_b",
            groups="base.group_user,prm_base.group_prm_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        manager_a = mail_new_test_user(
            self.env,
            login="prm_manager_company_a",
            groups="base.group_user,prm_base.group_prm_manager",
        )
        visible_b = self.Response.with_user(manager_b).search([])
        self.assertEqual(visible_b.partner_id, self.partner_b)
        visible_a = self.Response.with_user(manager_a).search([])
        self.assertIn(self.partner_a, visible_a.partner_id)
        self.assertNotIn(self.partner_b, visible_a.partner_id)
