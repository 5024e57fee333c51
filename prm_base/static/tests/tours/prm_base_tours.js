/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("prm_base_dashboard", {
    url: "/odoo/action-prm_base.prm_dashboard_action",
    steps: () => [
        {
            content: "Revenue by period",
            trigger:
                ".o_dashboard .o-dashboard-action:has(.o-dashboard-action-header:contains(Attributed Revenue by Period)) .o_graph_renderer canvas",
        },
        {
            content: "Revenue by tier",
            trigger:
                ".o-dashboard-action:has(.o-dashboard-action-header:contains(Attributed Revenue by Tier)) .o_graph_renderer canvas",
        },
        {
            content: "Pipeline by partner",
            trigger:
                ".o-dashboard-action:has(.o-dashboard-action-header:contains(Open Pipeline by Partner)) .o_graph_renderer canvas",
        },
        {
            content: "Partners by tier",
            trigger:
                ".o-dashboard-action:has(.o-dashboard-action-header:contains(Program Partners by Tier)) .o_graph_renderer canvas",
        },
    ],
});
