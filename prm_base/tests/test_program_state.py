# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PrmCommon


@tagged("post_install", "-at_install")
class TestProgramState(PrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Template = cls.env["prm.onboarding.template"]
        Template.search([]).write({"active": False})
        cls.template_all = Template.create(
            {
                "name": "Everyone",
                "sequence": 1,
                "step_ids": [
                    (0, 0, {"name": "Sign agreement", "sequence": 1}),
                    (0, 0, {"name": "Sales training", "sequence": 2}),
                ],
            }
        )
        cls.template_msp = Template.create(
            {
                "name": "MSP",
                "sequence": 2,
                "partner_type": "msp",
                "step_ids": [(0, 0, {"name": "Technical certification"})],
            }
        )

    def test_full_lifecycle(self):
        partner = self._create_member("Lifecycle", state="applicant")
        self.assertEqual(partner.prm_state, "applicant")
        self.assertFalse(partner.grade_id, "Applicants have no tier yet")
        for state in ("onboarding", "active", "suspended", "active", "terminated"):
            partner.write({"prm_state": state})
            self.assertEqual(partner.prm_state, state)
        partner.action_prm_reapply()
        self.assertEqual(partner.prm_state, "applicant")

    def test_forbidden_transitions(self):
        applicant = self._create_member("Hasty", state="applicant")
        with self.assertRaisesRegex(UserError, "cannot move from Applicant to Active"):
            applicant.action_prm_activate()
        applicant.action_prm_terminate()
        with self.assertRaises(UserError):
            applicant.write({"prm_state": "active"})
        with self.assertRaisesRegex(UserError, "not as Suspended"):
            self._create_member("Straight to suspended", state="suspended")
        self.assertEqual(applicant.prm_state, "terminated")

    def test_membership_belongs_to_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Employee", "parent_id": self.partner_a.id}
        )
        with self.assertRaisesRegex(ValidationError, "belongs to the company"):
            contact.write({"prm_state": "applicant"})

    def test_activation_sets_join_date_and_entry_tier(self):
        partner = self._create_member("Newcomer", state="onboarding")
        self.assertFalse(partner.date_partnership)
        partner.action_prm_activate()
        self.assertEqual(partner.date_partnership, self.today)
        self.assertEqual(partner.grade_id, self.tier_bronze, "lowest rank = entry tier")
        history = partner.prm_tier_history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(history.reason, "entry")
        self.assertEqual(history.to_grade_id, self.tier_bronze)

    def test_onboarding_checklist_per_partner_type(self):
        reseller = self._create_member("Reseller", self.user_channel, "applicant")
        msp = self._create_member(
            "MSP", self.user_channel, "applicant", prm_partner_type="msp"
        )
        (reseller | msp).action_prm_start_onboarding()
        self.assertEqual(
            reseller.prm_onboarding_task_ids.mapped("name"),
            ["Sign agreement", "Sales training"],
        )
        self.assertEqual(
            msp.prm_onboarding_task_ids.mapped("name"),
            ["Sign agreement", "Sales training", "Technical certification"],
        )
        self.assertEqual(reseller.prm_onboarding_progress, 0.0)
        task = reseller.prm_onboarding_task_ids[0]
        task.with_user(self.user_channel).sudo(False).action_toggle_done()
        self.assertTrue(task.done)
        self.assertEqual(task.done_user_id, self.user_channel)
        self.assertTrue(task.done_date)
        self.assertEqual(reseller.prm_onboarding_progress, 50.0)
        # Suspending and re-entering onboarding does not duplicate steps.
        reseller.action_prm_suspend()
        reseller._prm_generate_onboarding_tasks()
        self.assertEqual(len(reseller.prm_onboarding_task_ids), 2)

    def test_state_changes_are_tracked(self):
        partner = self._create_member("Tracked", state="applicant").with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.flush_tracking()  # records created in a transaction are not tracked
        partner.action_prm_start_onboarding()
        self.flush_tracking()
        partner.invalidate_recordset(["message_ids"])
        tracked = partner.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "prm_state"
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.old_value_char, "Applicant")
        self.assertEqual(tracked.new_value_char, "Onboarding")
