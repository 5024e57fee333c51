# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class PrmOnboardingTask(models.Model):
    _name = "prm.onboarding.task"
    _description = "Partner Onboarding Task"
    _order = "partner_id, sequence, id"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
    step_id = fields.Many2one("prm.onboarding.template.step", ondelete="set null")
    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    description = fields.Text()
    done = fields.Boolean()
    done_date = fields.Datetime(readonly=True)
    done_user_id = fields.Many2one("res.users", string="Done By", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("done"):
                vals.update(self._done_vals())
        return super().create(vals_list)

    def write(self, vals):
        if "done" in vals:
            vals = dict(
                vals,
                **(
                    self._done_vals()
                    if vals["done"]
                    else {"done_date": False, "done_user_id": False}
                ),
            )
        return super().write(vals)

    def _done_vals(self):
        return {"done_date": fields.Datetime.now(), "done_user_id": self.env.user.id}

    def action_toggle_done(self):
        for task in self:
            task.done = not task.done
