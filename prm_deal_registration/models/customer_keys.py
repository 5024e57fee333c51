# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Normalized keys identifying an end customer across records.

The same functions feed the stored keys of registrations, opportunities and
customers, so that the conflict detection compares like with like in SQL.
"""

import logging

import psycopg2

from odoo.tools import SQL
from odoo.tools.sql import create_index

from odoo.addons.prm_base.tools import (  # noqa: F401 (re-exported)
    GENERIC_MAIL_DOMAINS,
    normalize_domain,
    normalize_name,
    normalize_vat,
)

_logger = logging.getLogger(__name__)


def ensure_trigram_index(env, table, column):
    """Create the GIN trigram index on ``table.column`` (and the ``pg_trgm``
    extension when missing, as Odoo does for new databases).

    Returns whether trigram similarity is available; without it, the conflict
    detection compares normalized names for equality only.
    """
    cr = env.cr
    if not env.registry.has_trigram:
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    SQL("CREATE EXTENSION IF NOT EXISTS pg_trgm"), log_exceptions=False
                )
        except psycopg2.Error as error:
            _logger.info(
                "pg_trgm is not available (%s): similar company names are "
                "compared for equality only.",
                error,
            )
            return False
        env.registry.has_trigram = True
    index = f"{table}_{column}_trgm_idx"
    create_index(cr, index, table, [f'"{column}" gin_trgm_ops'], method="gin")
    # New names go into the index at once rather than into GIN's pending
    # list: a long pending list makes the planner give up the index, and the
    # conflict check runs right after the names are written.
    cr.execute(SQL("ALTER INDEX %s SET (fastupdate = off)", SQL.identifier(index)))
    return True


def trigram_match(left, right, has_trigram):
    """``(condition, similarity)`` SQL comparing two normalized names.

    With ``pg_trgm``, the condition is the ``%`` operator, which the GIN
    ``gin_trgm_ops`` index serves. ``SQL`` formats its code once and
    ``psycopg2`` once more, hence the four percent signs for one operator;
    the query it goes into must have parameters.
    """
    if has_trigram:
        return (
            SQL("(%s %%%% %s)", left, right),
            SQL("similarity(%s, %s)", left, right),
        )
    return (
        SQL("(%s = %s)", left, right),
        SQL("(CASE WHEN %s = %s THEN 1.0 ELSE 0.0 END)", left, right),
    )
