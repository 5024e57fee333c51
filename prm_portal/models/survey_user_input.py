# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    @api.model_create_multi
    def create(self, vals_list):
        user_inputs = super().create(vals_list)
        user_inputs.filtered(lambda ui: ui.state == "done")._prm_record_nps()
        return user_inputs

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "done":
            self._prm_record_nps()
        return res

    def _prm_record_nps(self):
        """Record the partner satisfaction response of every completed answer
        of an NPS survey in ``self`` given by a partner's user (in batch, once
        per answer)."""
        answers = self.sudo().filtered(
            lambda ui: (
                ui.state == "done"
                and not ui.test_entry
                and ui.survey_id.prm_nps
                and ui.partner_id.commercial_partner_id.prm_state
            )
        )
        Response = self.env["prm.nps.response"].sudo()
        if not answers:
            return Response
        recorded = Response.search([("user_input_id", "in", answers.ids)])
        answers -= recorded.user_input_id
        vals_list = []
        for answer in answers:
            scale = answer.user_input_line_ids.filtered(
                lambda line: line.answer_type == "scale" and not line.skipped
            ).sorted(lambda line: (line.question_sequence, line.id))[:1]
            if not scale:
                continue
            texts = answer.user_input_line_ids.filtered(
                lambda line: (
                    line.answer_type in ("text_box", "char_box") and not line.skipped
                )
            ).sorted(lambda line: (line.question_sequence, line.id))[:1]
            comment = texts.value_text_box or texts.value_char_box or False
            partner = answer.partner_id.commercial_partner_id
            user = answer.partner_id.user_ids[:1]
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "survey_id": answer.survey_id.id,
                    "user_input_id": answer.id,
                    "date": fields.Date.context_today(
                        self, timestamp=answer.end_datetime or fields.Datetime.now()
                    ),
                    "score": scale.value_scale,
                    "comment": comment,
                    "company_id": (
                        partner.company_id or user.company_id or self.env.company
                    ).id,
                }
            )
        return Response.create(vals_list)
