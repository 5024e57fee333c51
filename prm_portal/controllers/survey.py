# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.http import request

from odoo.addons.survey.controllers.main import Survey


class PrmSurvey(Survey):
    def _get_access_data(
        self, survey_token, answer_token, ensure_token=True, check_partner=True
    ):
        """Satisfaction answers are personal: outside the back office (people
        with access to the survey), only their respondent opens them, also on
        the routes that do not check the respondent (printing)."""
        if not check_partner and answer_token:
            survey_sudo, _answer = self._fetch_from_access_token(
                survey_token, answer_token
            )
            if survey_sudo.prm_nps and not survey_sudo.with_user(
                request.env.user
            ).has_access("read"):
                check_partner = True
        return super()._get_access_data(
            survey_token,
            answer_token,
            ensure_token=ensure_token,
            check_partner=check_partner,
        )
