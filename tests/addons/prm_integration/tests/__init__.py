# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import (
    test_bad_input,
    test_concurrency,
    test_integrity,
    test_portal_isolation,
    test_translations,
)
