# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Rank the partner levels that exist before the program is installed.

    Odoo orders levels by ``sequence`` (lowest first = best level); the program
    ranks tiers the other way round (highest rank = best tier).
    """
    grades = (
        env["res.partner.grade"]
        .with_context(active_test=False)
        .search([], order="sequence desc, id desc")
    )
    for rank, grade in enumerate(grades, start=1):
        grade.prm_rank = rank * 10
