# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.fields import Command
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


class PrmTrainingCase:
    """Three tiers, two program partners with people and portal users, a
    certification survey and its partner certification definition."""

    @classmethod
    def _setup_prm_training(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        Grade = cls.env["res.partner.grade"]
        Grade.search([]).write({"active": False})
        cls.tier_bronze = Grade.create(
            {"name": "Training Bronze", "prm_rank": 10, "prm_grace_days": 0}
        )
        cls.tier_silver = Grade.create(
            {"name": "Training Silver", "prm_rank": 20, "prm_grace_days": 0}
        )
        cls.tier_gold = Grade.create(
            {"name": "Training Gold", "prm_rank": 30, "prm_grace_days": 0}
        )
        company = cls.env.company
        cls.user_prm_admin = mail_new_test_user(
            cls.env,
            login="training_prm_admin",
            groups="base.group_user,prm_base.group_prm_manager,"
            "survey.group_survey_user",
            company_id=company.id,
        )
        cls.user_channel = mail_new_test_user(
            cls.env,
            login="training_channel",
            groups="base.group_user,prm_base.group_prm_user",
            company_id=company.id,
        )
        cls.user_channel_other = mail_new_test_user(
            cls.env,
            login="training_channel_other",
            groups="base.group_user,prm_base.group_prm_user",
            company_id=company.id,
        )
        cls.partner_a = cls._create_member("Training Partner A", cls.user_channel)
        cls.partner_b = cls._create_member(
            "Training Partner B", cls.user_channel_other, partner_type="var"
        )
        Partner = cls.env["res.partner"]
        cls.person_a1 = Partner.create(
            {"name": "Anna A1", "parent_id": cls.partner_a.id, "email": "a1@a.example"}
        )
        cls.person_a2 = Partner.create(
            {"name": "Adam A2", "parent_id": cls.partner_a.id, "email": "a2@a.example"}
        )
        cls.person_a3 = Partner.create(
            {"name": "Alma A3", "parent_id": cls.partner_a.id, "email": "a3@a.example"}
        )
        cls.person_b1 = Partner.create(
            {"name": "Bela B1", "parent_id": cls.partner_b.id, "email": "b1@b.example"}
        )
        cls.outsider = Partner.create(
            {"name": "Olga Outsider", "email": "olga@outside.example"}
        )
        cls.portal_a_admin = cls._portal_user(
            "training_a_admin", cls.person_a1, "prm_base.group_prm_partner_admin"
        )
        cls.portal_a_member = cls._portal_user(
            "training_a_member", cls.person_a2, "prm_base.group_prm_partner_member"
        )
        cls.portal_b_admin = cls._portal_user(
            "training_b_admin", cls.person_b1, "prm_base.group_prm_partner_admin"
        )
        cls.survey = cls._create_certification_survey("PRM Sales Certification")
        cls.certification = cls.env["prm.certification"].create(
            {
                "name": "Certified Sales Professional",
                "survey_id": cls.survey.id,
                "validity_months": 12,
                "renewal_days": 30,
            }
        )

    @classmethod
    def _create_member(cls, name, manager=None, partner_type="reseller"):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "prm_partner_type": partner_type,
                "prm_state": "active",
                "prm_channel_manager_id": manager.id if manager else False,
            }
        )

    @classmethod
    def _portal_user(cls, login, person, role):
        return cls.env["res.users"].create(
            {
                "name": person.name,
                "login": login,
                "password": login + "_pwd",
                "partner_id": person.id,
                "groups_id": [
                    Command.set(
                        [cls.env.ref("base.group_portal").id, cls.env.ref(role).id]
                    )
                ],
            }
        )

    @classmethod
    def _create_certification_survey(cls, title):
        return cls.env["survey.survey"].create(
            {
                "title": title,
                "access_mode": "public",
                "scoring_type": "scoring_with_answers",
                "scoring_success_min": 50.0,
                "certification": True,
                "question_and_page_ids": [
                    Command.create(
                        {
                            "title": "Which answer is right?",
                            "question_type": "simple_choice",
                            "suggested_answer_ids": [
                                Command.create(
                                    {
                                        "value": "Right",
                                        "answer_score": 10.0,
                                        "is_correct": True,
                                    }
                                ),
                                Command.create({"value": "Wrong", "answer_score": 0.0}),
                            ],
                        }
                    )
                ],
            }
        )

    @classmethod
    def _attempt(cls, person, survey=None, success=True, **values):
        """An answered attempt of ``person``, not marked done yet."""
        survey = survey or cls.survey
        question = survey.question_ids[0]
        user_input = cls.env["survey.user_input"].create(
            {
                "survey_id": survey.id,
                "partner_id": person.id,
                "predefined_question_ids": [Command.set(question.ids)],
                **values,
            }
        )
        answer = question.suggested_answer_ids.filtered(
            lambda a: a.is_correct == success
        )
        cls.env["survey.user_input.line"].create(
            {
                "user_input_id": user_input.id,
                "question_id": question.id,
                "answer_type": "suggestion",
                "suggested_answer_id": answer.id,
            }
        )
        return user_input

    @classmethod
    def _pass(cls, person, survey=None, success=True, **values):
        user_input = cls._attempt(person, survey, success, **values)
        user_input._mark_done()
        return user_input

    def _record(self, person, certification=None):
        return self.env["prm.partner.certification"].search(
            [
                ("partner_id", "=", person.id),
                ("certification_id", "=", (certification or self.certification).id),
            ]
        )


class PrmTrainingCommon(PrmTrainingCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_prm_training()
