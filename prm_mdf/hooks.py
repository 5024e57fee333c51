# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Create the "MDF" purchase journal of every company with a chart of
    accounts; companies that get one later create it at their first claim."""
    companies = env["res.company"].search([("chart_template", "!=", False)])
    for company in companies:
        company._prm_mdf_journal()
