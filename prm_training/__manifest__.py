# Copyright 2026 PRM Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Partner Program (PRM) - Training and Certifications",
    "summary": "Partner certifications on survey certifications and eLearning "
    "courses: validity, renewal reminders, tier requirements, partner portal",
    "version": "18.0.1.0.0",
    "category": "Sales/Partner Program",
    "website": "https://github.com/prm-odoo/prm",
    "author": "PRM Contributors",
    "maintainers": ["prm-odoo"],
    "license": "AGPL-3",
    "development_status": "Beta",
    "installable": True,
    "depends": ["prm_portal", "survey", "website_slides"],
    "data": [
        "security/ir.model.access.csv",
        "security/prm_training_rules.xml",
        "data/prm_training_partner_type_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "report/prm_partner_certification_report.xml",
        "views/prm_certification_views.xml",
        "views/prm_partner_certification_views.xml",
        "views/res_partner_grade_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/slide_channel_views.xml",
        "views/prm_training_menus.xml",
        "views/prm_training_portal_templates.xml",
    ],
    "demo": [
        "demo/prm_training_demo.xml",
    ],
}
