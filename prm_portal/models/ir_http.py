# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from werkzeug.datastructures import FileStorage

from odoo import models
from odoo.http import request

# Control characters a person does not type; PostgreSQL refuses NUL in text.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PRM_CONTROLLERS = "odoo.addons.prm_"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls, endpoint):
        """Partner Program pages get clean text parameters: control characters
        are removed, and a file sent where text is expected is left out
        (uploads are read from ``request.httprequest.files``). A form then
        answers malformed input with its own validation message."""
        original = getattr(endpoint, "original_endpoint", endpoint)
        if (getattr(original, "__module__", "") or "").startswith(PRM_CONTROLLERS):
            request.params = {
                key: CONTROL_CHARS_RE.sub("", value)
                if isinstance(value, str)
                else value
                for key, value in request.params.items()
                if not isinstance(value, FileStorage)
            }
        return super()._dispatch(endpoint)

    @classmethod
    def _get_error_html(cls, env, code, values):
        """Too large a request (uploads above the server's limit) gets a page
        that says so, in the website's layout."""
        if code == 413:
            return code, env["ir.ui.view"]._render_template(
                "prm_portal.http_error_413", values
            )
        return super()._get_error_html(env, code, values)
