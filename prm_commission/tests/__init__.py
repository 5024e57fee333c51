# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import test_commission_rates
from . import test_commission_triggers
from . import test_commission_statement
from . import test_commission_performance
from . import test_commission_portal
from . import test_analytics
from . import test_multi_company
