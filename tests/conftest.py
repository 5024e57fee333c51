# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""pytest runs the checks that need no Odoo; these folders are not for it:
``addons/`` holds the test-only Odoo addon run by Odoo's test runner and
``perf/`` the benchmarks (``tests/perf/run``)."""

collect_ignore = ["addons", "perf"]
