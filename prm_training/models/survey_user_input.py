# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    @api.model_create_multi
    def create(self, vals_list):
        user_inputs = super().create(vals_list)
        user_inputs.filtered(lambda ui: ui.state == "done")._prm_record_certifications()
        return user_inputs

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "done" and not self.env.context.get("prm_marking_done"):
            self._prm_record_certifications()
        return res

    def _mark_done(self):
        # Record once everything is settled: ``_mark_done`` drops the inactive
        # conditional questions after setting the state, which can change the
        # score.
        marking = self.with_context(prm_marking_done=True)
        res = super(SurveyUserInput, marking)._mark_done()
        self._prm_record_certifications()
        return res

    def _prm_record_certifications(self):
        """Record (or renew) the partner certification of every successful,
        done attempt of a certification survey in ``self`` (in batch)."""
        passed = self.filtered(
            lambda ui: (
                ui.state == "done"
                and not ui.test_entry
                and ui.partner_id
                and ui.survey_id.certification
                and ui.scoring_success
            )
        )
        PartnerCertification = self.env["prm.partner.certification"]
        if not passed:
            return PartnerCertification
        # The attempt is the proof: the person's own passed attempt is turned
        # into their certification record, whoever runs the survey flow.
        return PartnerCertification.sudo()._prm_register_passes(passed.sudo())
