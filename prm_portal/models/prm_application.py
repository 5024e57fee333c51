# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from odoo.addons.prm_base.models.res_partner import PARTNER_TYPES
from odoo.addons.prm_base.tools import normalize_domain, normalize_vat

MEMBER_STATES = ("onboarding", "active", "suspended")


class PrmApplication(models.Model):
    _name = "prm.application"
    _description = "Partner Program Application"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Company Name", required=True, tracking=True)
    vat = fields.Char(string="VAT Number")
    vat_key = fields.Char(
        compute="_compute_keys", store=True, index="btree_not_null", readonly=True
    )
    country_id = fields.Many2one("res.country", required=True)
    website = fields.Char()
    email_domain = fields.Char(
        compute="_compute_keys", store=True, index="btree_not_null", readonly=True
    )
    partner_type = fields.Selection(PARTNER_TYPES, required=True)
    specialization_ids = fields.Many2many(
        "prm.specialization", string="Specializations"
    )
    contact_name = fields.Char(required=True)
    contact_email = fields.Char(required=True)
    contact_phone = fields.Char()
    contact_function = fields.Char(string="Job Position")
    message = fields.Text(string="About the Company")
    consent = fields.Boolean(string="Accepted the Program Terms", readonly=True)
    ip_address = fields.Char(string="Submitted From", readonly=True)
    state = fields.Selection(
        [("new", "To Review"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="new",
        required=True,
        tracking=True,
        copy=False,
    )
    score = fields.Integer(
        string="Pre-screening Score",
        compute="_compute_score",
        store=True,
        help="Share of the screening criteria points the application earns.",
    )
    score_details = fields.Text(compute="_compute_score", store=True)
    duplicate_partner_ids = fields.Many2many(
        "res.partner",
        string="Matching Companies",
        compute="_compute_duplicates",
        help="Existing companies with the same VAT number or email domain.",
    )
    duplicate_application_ids = fields.Many2many(
        "prm.application",
        string="Matching Applications",
        compute="_compute_duplicates",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Partner", readonly=True, copy=False, tracking=True
    )
    contact_id = fields.Many2one("res.partner", readonly=True, copy=False)
    reject_reason = fields.Text(readonly=True, copy=False, tracking=True)
    reviewer_id = fields.Many2one("res.users", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.depends("vat", "country_id", "contact_email", "website")
    def _compute_keys(self):
        for application in self:
            application.vat_key = normalize_vat(
                application.vat, application.country_id.code
            )
            application.email_domain = normalize_domain(
                None, application.contact_email
            ) or normalize_domain(application.website)

    @api.depends(
        "vat",
        "website",
        "contact_email",
        "country_id",
        "partner_type",
        "specialization_ids",
    )
    def _compute_score(self):
        criteria = self.env["prm.application.criterion"].search([])
        total = sum(criteria.mapped("points"))
        for application in self:
            met = criteria.filtered(lambda c, a=application: c._is_met_by(a))
            points = sum(met.mapped("points"))
            application.score = round(100.0 * points / total) if total else 0
            application.score_details = "\n".join(
                f"{'+' if criterion in met else '-'} {criterion.name} "
                f"({criterion.points})"
                for criterion in criteria
            )

    @api.depends("vat_key", "email_domain")
    def _compute_duplicates(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        for application in self:
            partners = Partner.browse()
            if application.vat_key or application.email_domain:
                candidates = Partner.search(
                    [("is_company", "=", True)]
                    + application._duplicate_partner_domain()
                )
                partners = candidates.filtered(application._matches_partner)
            application.duplicate_partner_ids = partners
            application.duplicate_application_ids = (
                application._find_matching_applications() - application
            )

    def _duplicate_partner_domain(self):
        """Narrow the candidate companies in SQL before the exact key check."""
        self.ensure_one()
        domain = []
        if self.vat_key:
            domain.append(("vat", "ilike", self.vat_key[-6:]))
        if self.email_domain:
            domain += [
                ("email", "=ilike", f"%@{self.email_domain}"),
                ("website", "ilike", self.email_domain),
            ]
        return ["|"] * (len(domain) - 1) + domain

    def _matches_partner(self, partner):
        if self.vat_key and normalize_vat(partner.vat, partner.country_id.code) == (
            self.vat_key
        ):
            return True
        return bool(self.email_domain) and self.email_domain in (
            normalize_domain(None, partner.email),
            normalize_domain(partner.website),
        )

    def _find_matching_applications(self, states=("new",)):
        self.ensure_one()
        domain = []
        if self.vat_key:
            domain.append(("vat_key", "=", self.vat_key))
        if self.email_domain:
            domain.append(("email_domain", "=", self.email_domain))
        if not domain:
            return self.browse()
        return self.search(
            [("state", "in", states)] + ["|"] * (len(domain) - 1) + domain
        )

    @api.constrains("contact_email")
    def _check_contact_email(self):
        for application in self:
            if not email_normalize(application.contact_email):
                raise ValidationError(
                    _("%s is not a valid email address.", application.contact_email)
                )

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------

    def _check_new(self):
        if self.filtered(lambda a: a.state != "new"):
            raise UserError(
                _("Only applications to review can be approved or rejected.")
            )

    def action_approve(self):
        """Create or link the company and its contact, start the onboarding at
        the entry tier and invite the contact to the portal as Partner Admin."""
        self._check_new()
        for application in self:
            partner = application._approve_partner()
            contact = application._approve_contact(partner)
            application.write(
                {
                    "state": "approved",
                    "partner_id": partner.id,
                    "contact_id": contact.id,
                    "reviewer_id": self.env.user.id,
                }
            )
            application._invite_contact(contact)
            application._send_template("prm_portal.mail_template_application_approved")
        return True

    def _approve_partner(self):
        self.ensure_one()
        partner = self.duplicate_partner_ids.filtered(
            lambda p: p.commercial_partner_id == p
        )[:1]
        if partner.prm_state in MEMBER_STATES:
            raise UserError(
                _(
                    "%(company)s is already a program member; give the applicant "
                    "access from the partner's portal users instead.",
                    company=partner.display_name,
                )
            )
        values = {
            "prm_partner_type": self.partner_type,
            "prm_specialization_ids": [
                fields.Command.link(s.id) for s in self.specialization_ids
            ],
        }
        if not partner:
            partner = self.env["res.partner"].create(
                {
                    "name": self.name,
                    "is_company": True,
                    "vat": self.vat,
                    "country_id": self.country_id.id,
                    "website": self.website,
                    "company_id": False,
                    **values,
                }
            )
        else:
            partner.write(values)
        if partner.prm_state == "terminated":
            partner.write({"prm_state": "applicant"})
        if not partner.prm_channel_manager_id and self.env.user.has_group(
            "prm_base.group_prm_user"
        ):
            partner.prm_channel_manager_id = self.env.user
        partner.write({"prm_state": "onboarding"})
        if not partner.grade_id:
            partner._prm_assign_entry_tier()
        return partner

    def _approve_contact(self, partner):
        self.ensure_one()
        email = email_normalize(self.contact_email)
        contact = partner.child_ids.filtered(
            lambda c: email_normalize(c.email or "") == email
        )[:1]
        if not contact:
            contact = self.env["res.partner"].create(
                {
                    "name": self.contact_name,
                    "email": self.contact_email,
                    "phone": self.contact_phone,
                    "function": self.contact_function,
                    "parent_id": partner.id,
                    "type": "contact",
                }
            )
        return contact

    def _invite_contact(self, contact):
        """Portal access for the contact, as Partner Admin of its company."""
        user = contact.with_context(active_test=False).user_ids[:1]
        if not user:
            wizard = (
                self.env["portal.wizard"]
                .sudo()
                .create({"partner_ids": [fields.Command.set(contact.ids)]})
            )
            wizard.user_ids.action_grant_access()
            user = contact.with_context(active_test=False).user_ids[:1]
        if user and user._is_portal():
            user.sudo().write(
                {
                    "groups_id": [
                        fields.Command.link(
                            self.env.ref("prm_base.group_prm_partner_admin").id
                        )
                    ]
                }
            )
        return user

    def action_reject(self, reason):
        self._check_new()
        if not (reason or "").strip():
            raise UserError(_("Give the applicant a reason for the rejection."))
        self.write(
            {
                "state": "rejected",
                "reject_reason": reason.strip(),
                "reviewer_id": self.env.user.id,
            }
        )
        for application in self:
            application._send_template("prm_portal.mail_template_application_rejected")
        return True

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Reject Application"),
            "res_model": "prm.application.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_application_ids": self.ids},
        }

    def _send_template(self, xmlid):
        """Email the applicant (not a contact yet) and note it in the chatter."""
        self.ensure_one()
        template = self.env.ref(xmlid, raise_if_not_found=False)
        if template:
            template.send_mail(
                self.id, email_layout_xmlid="mail.mail_notification_light"
            )
            self.message_post(body=_("Email sent to the applicant: %s", template.name))

    # ------------------------------------------------------------------
    # Website form
    # ------------------------------------------------------------------

    @api.model
    def _prm_portal_create(self, values, ip_address):
        """Create an application from the public form, after validation.

        Returns the application and sends the acknowledgement to the applicant.
        """
        application = self.sudo().create(dict(values, ip_address=ip_address))
        application._send_template("prm_portal.mail_template_application_received")
        return application
