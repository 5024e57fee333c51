/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("prm_portal_apply", {
    url: "/partners/apply",
    steps: () => [
        {
            content: "Company name",
            trigger: "input[name=company_name]",
            run: "edit Tour Partner Kft.",
        },
        {trigger: "input[name=vat]", run: "edit HU 87654321"},
        {trigger: "select[name=country_id]", run: "selectByLabel Hungary"},
        {trigger: "input[name=website]", run: "edit www.tour-partner.example.com"},
        {trigger: "select[name=partner_type]", run: "selectByLabel System Integrator"},
        {trigger: "input[name=contact_name]", run: "edit Tímea Tour"},
        {
            trigger: "input[name=contact_email]",
            run: "edit timea@tour-partner.example.com",
        },
        {content: "Submit without consent", trigger: "button.o_prm_apply_submit", run: "click"},
        {
            content: "The form asks for the consent and keeps the values",
            trigger: ".invalid-feedback:contains(Accept the program terms)",
        },
        {trigger: "input[name=company_name]:value(Tour Partner Kft.)"},
        {trigger: "input[name=consent]", run: "check"},
        {trigger: "select[name=country_id]", run: "selectByLabel Hungary"},
        {trigger: "select[name=partner_type]", run: "selectByLabel System Integrator"},
        {trigger: "button.o_prm_apply_submit", run: "click"},
        {content: "Thank you page", trigger: ".o_prm_apply_thanks h1:contains(Thank you)"},
    ],
});

registry.category("web_tour.tours").add("prm_portal_dashboard", {
    url: "/my",
    steps: () => [
        {
            content: "Open the partner program from the portal home",
            trigger: "a[href='/my/partner']",
            run: "click",
        },
        {trigger: "#prm_company h3:contains(Alpha Reseller Kft.)"},
        {trigger: "#prm_progress .o_prm_requirement:contains(Attributed revenue)"},
        {content: "Accept the agreement", trigger: "#prm_agreements button:contains(Accept)", run: "click"},
        {trigger: ".alert-success:contains(agreement is accepted)"},
        {content: "Open the resource library", trigger: "a[href='/my/partner/resources']", run: "click"},
        {trigger: "input[name=search]", run: "edit price"},
        {trigger: ".o_prm_resource_filters button[type=submit]", run: "click"},
        {trigger: ".o_prm_resource_row:contains(Price list for everyone)"},
        {content: "Back to the dashboard", trigger: ".breadcrumb a[href='/my/partner']", run: "click"},
        {content: "Manage users", trigger: "a[href='/my/partner/users']", run: "click"},
        {trigger: ".o_prm_invite_form input[name=name]", run: "edit Tour Colleague"},
        {trigger: ".o_prm_invite_form input[name=email]", run: "edit tour.colleague@alpha.example.com"},
        {trigger: ".o_prm_invite_form button[type=submit]", run: "click"},
        {trigger: ".alert-success:contains(is invited)"},
        {trigger: ".o_prm_user_row:contains(Tour Colleague)"},
    ],
});
