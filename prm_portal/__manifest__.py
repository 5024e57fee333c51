# Copyright 2026 PRM Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Partner Program (PRM) - Portal",
    "summary": "Partner portal: dashboard, application form, onboarding, "
    "resource library, announcements, partner user management, churn risk "
    "and partner satisfaction (NPS)",
    "version": "18.0.1.0.0",
    "category": "Sales/Partner Program",
    "website": "https://github.com/prm-odoo/prm",
    "author": "PRM Contributors",
    "maintainers": ["prm-odoo"],
    "license": "AGPL-3",
    "development_status": "Beta",
    "installable": True,
    "depends": ["prm_base", "portal", "website", "auth_signup", "survey"],
    "data": [
        "security/ir.model.access.csv",
        "security/prm_portal_rules.xml",
        "data/mail_template_data.xml",
        "data/survey_data.xml",
        "data/ir_cron_data.xml",
        "report/prm_resource_report.xml",
        "views/prm_agreement_views.xml",
        "views/prm_application_views.xml",
        "views/prm_resource_views.xml",
        "views/prm_announcement_views.xml",
        "views/res_partner_views.xml",
        "views/survey_survey_views.xml",
        "views/prm_nps_response_views.xml",
        "views/res_config_settings_views.xml",
        "views/prm_dashboard_views.xml",
        "views/prm_portal_menus.xml",
        "views/prm_portal_templates.xml",
        "views/prm_application_templates.xml",
        "views/http_error_templates.xml",
    ],
    "demo": ["demo/prm_portal_demo.xml", "demo/prm_nps_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "prm_portal/static/src/scss/prm_portal.scss",
        ],
        "web.assets_tests": [
            "prm_portal/static/tests/tours/*.js",
        ],
    },
}
