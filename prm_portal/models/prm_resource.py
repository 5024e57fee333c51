# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES


class PrmResource(models.Model):
    """A document or link partners find in the portal's resource library."""

    _name = "prm.resource"
    _description = "Partner Resource"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    category_id = fields.Many2one("prm.resource.category", string="Category")
    resource_type = fields.Selection(
        [("file", "File"), ("url", "Link")], required=True, default="file"
    )
    file = fields.Binary(attachment=True, copy=False)
    filename = fields.Char()
    url = fields.Char(string="Link")
    lang = fields.Selection(
        selection="_get_lang_selection",
        string="Language",
        help="Leave empty for resources in every language.",
    )
    version = fields.Char(default="1.0", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Archived")],
        default="draft",
        required=True,
        tracking=True,
    )
    grade_ids = fields.Many2many(
        "res.partner.grade",
        string="Tiers",
        help="Tiers that see the resource; empty for every tier.",
    )
    partner_type = fields.Selection(
        PARTNER_TYPES, help="Partner type that sees the resource; empty for all."
    )
    cobranded = fields.Boolean(
        string="Co-branded",
        help="Partners download a PDF stamped with their logo, name and contact.",
    )
    body = fields.Html(
        string="Co-branded Content",
        translate=True,
        sanitize_style=True,
        help="Content of the co-branded PDF.",
    )
    download_ids = fields.One2many("prm.resource.download", "resource_id")
    download_count = fields.Integer(compute="_compute_download_count")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    @api.model
    def _get_lang_selection(self):
        return self.env["res.lang"].get_installed()

    def _compute_download_count(self):
        data = dict(
            self.env["prm.resource.download"]._read_group(
                [("resource_id", "in", self.ids)], ["resource_id"], ["__count"]
            )
        )
        for resource in self:
            resource.download_count = data.get(resource, 0)

    @api.constrains("resource_type", "url", "cobranded", "body")
    def _check_content(self):
        for resource in self:
            if resource.resource_type == "url" and not resource.url:
                raise ValidationError(
                    _("The link resource %s needs a URL.", resource.name)
                )
            if resource.url and not resource.url.startswith(("http://", "https://")):
                raise ValidationError(_("Links must start with http:// or https://."))
            if resource.cobranded and not resource.body:
                raise ValidationError(
                    _("The co-branded resource %s needs content.", resource.name)
                )

    def action_publish(self):
        self.write({"state": "published"})

    def action_archive_resource(self):
        self.write({"state": "archived"})

    def action_reset_draft(self):
        self.write({"state": "draft"})

    def _prm_record_download(self, user, cobranded=False):
        """Count a download for the user's company (engagement KPI)."""
        self.ensure_one()
        return (
            self.env["prm.resource.download"]
            .sudo()
            .create(
                {
                    "resource_id": self.id,
                    "partner_id": user.commercial_partner_id.id,
                    "user_id": user.id,
                    "cobranded": cobranded,
                }
            )
        )
