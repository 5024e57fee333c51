# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


class PrmCertification(models.Model):
    """What a partner's people certify in: an Odoo certification survey,
    optionally taught by an eLearning course, valid for some months."""

    _name = "prm.certification"
    _description = "Partner Certification Definition"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    survey_id = fields.Many2one(
        "survey.survey",
        string="Certification Survey",
        required=True,
        ondelete="restrict",
        domain=[("certification", "=", True)],
        help="Passing this certification survey certifies the person.",
    )
    channel_id = fields.Many2one(
        "slide.channel",
        string="Course",
        ondelete="set null",
        help="eLearning course preparing for (and usually containing) the "
        "certification.",
    )
    description = fields.Html(translate=True)
    validity_months = fields.Integer(
        string="Validity (months)",
        default=24,
        help="How long a pass stays valid. 0 means it never expires.",
    )
    renewal_days = fields.Integer(
        string="Renewal Window (days)",
        default=60,
        help="This many days before it expires, a certification is shown as "
        "expiring and its holder and the partner's admins are reminded to renew.",
    )
    partner_type_ids = fields.Many2many(
        "prm.training.partner.type",
        "prm_certification_partner_type_rel",
        "certification_id",
        "partner_type_id",
        string="Partner Types",
        help="Partner types the certification is meant for; empty for all.",
    )
    grade_ids = fields.Many2many(
        "res.partner.grade",
        "prm_certification_grade_rel",
        "certification_id",
        "grade_id",
        string="Tiers",
        help="Tiers the certification is meant for; empty for all.",
    )
    partner_certification_ids = fields.One2many(
        "prm.partner.certification", "certification_id", string="Holders"
    )
    valid_count = fields.Integer(
        string="Valid Certifications", compute="_compute_valid_count"
    )

    _sql_constraints = [
        (
            "survey_unique",
            "UNIQUE(survey_id)",
            "A certification survey backs one partner certification only.",
        ),
        (
            "durations_positive",
            "CHECK(validity_months >= 0 AND renewal_days >= 0)",
            "Validity and renewal window cannot be negative.",
        ),
    ]

    @api.constrains("survey_id")
    def _check_survey_is_certification(self):
        for certification in self:
            if not certification.survey_id.certification:
                raise ValidationError(
                    self.env._(
                        "The survey %s is not a certification: enable "
                        "'Is a Certification' on it first.",
                        certification.survey_id.display_name,
                    )
                )

    def _compute_valid_count(self):
        PartnerCertification = self.env["prm.partner.certification"]
        data = dict(
            PartnerCertification._read_group(
                [("certification_id", "in", self.ids)]
                + PartnerCertification._prm_valid_domain(),
                ["certification_id"],
                ["__count"],
            )
        )
        for certification in self:
            certification.valid_count = data.get(certification, 0)

    @api.model
    def _prm_applicable_domain(self, partner):
        """Certifications meant for the program partner ``partner``."""
        partner = partner.commercial_partner_id
        type_domain = [("partner_type_ids", "=", False)]
        if partner.prm_partner_type:
            same_type = [("partner_type_ids.code", "=", partner.prm_partner_type)]
            type_domain = expression.OR([type_domain, same_type])
        grade_domain = [("grade_ids", "=", False)]
        if partner.grade_id:
            grade_domain = expression.OR(
                [grade_domain, [("grade_ids", "in", partner.grade_id.ids)]]
            )
        return expression.AND([type_domain, grade_domain])

    def action_view_partner_certifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_training.prm_partner_certification_action"
        )
        action["domain"] = [("certification_id", "=", self.id)]
        action["context"] = {"default_certification_id": self.id}
        return action

    def _prm_kpi_key(self):
        """Key of the partner KPI counting people with this certification."""
        self.ensure_one()
        return f"cert_{self.id}"

    def _prm_kpi_label(self):
        self.ensure_one()
        return self.env._("People certified: %s", self.name)
