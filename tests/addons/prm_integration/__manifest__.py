# Copyright 2026 PRM Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Partner Program (PRM) - Integration Tests",
    "summary": "Cross-addon scenarios and security probes of the PRM suite "
    "(test-only addon, never installed in production)",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/prm-odoo/prm",
    "author": "PRM Contributors",
    "maintainers": ["prm-odoo"],
    "license": "AGPL-3",
    "development_status": "Beta",
    "installable": True,
    "depends": [
        "prm_portal",
        "prm_deal_registration",
        "prm_mdf",
        "prm_commission",
        "prm_training",
    ],
    "data": [],
}
