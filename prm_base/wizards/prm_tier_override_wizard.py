# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class PrmTierOverrideWizard(models.TransientModel):
    _name = "prm.tier.override.wizard"
    _description = "Override Partner Tier"

    partner_ids = fields.Many2many("res.partner", string="Partners", required=True)
    grade_id = fields.Many2one("res.partner.grade", string="Tier", required=True)
    reason = fields.Char(required=True)
    date_until = fields.Date(
        string="Until",
        required=True,
        help="After this date the tier evaluation takes over again.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "partner_ids" in fields_list and self.env.context.get("active_model") == (
            "res.partner"
        ):
            values["partner_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return values

    def action_apply(self):
        self.ensure_one()
        if self.date_until < fields.Date.context_today(self):
            raise UserError(_("The override must end today or later."))
        partners = self.partner_ids
        not_members = partners.filtered(lambda p: not p.prm_state)
        if not_members:
            raise UserError(
                _(
                    "Only program members have a tier: %s",
                    ", ".join(not_members.mapped("display_name")),
                )
            )
        old_grades = {partner.id: partner.grade_id for partner in partners}
        partners.with_context(prm_tier_evaluation=True).write(
            {
                "prm_tier_override_id": self.grade_id.id,
                "prm_tier_override_reason": self.reason,
                "prm_tier_override_until": self.date_until,
                "grade_id": self.grade_id.id,
                "prm_downgrade_since": False,
                "prm_downgrade_grade_id": False,
            }
        )
        partners._prm_apply_tier_benefits(self.grade_id)
        kpis = partners.sudo()._prm_compute_kpis()
        note = _(
            "%(reason)s (until %(date)s)", reason=self.reason, date=self.date_until
        )
        self.env["prm.tier.history"].sudo().create(
            [
                partner._prm_history_vals(
                    old_grades[partner.id], self.grade_id, "override", kpis, note
                )
                for partner in partners
            ]
        )
        return {"type": "ir.actions.act_window_close"}
