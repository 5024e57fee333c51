from . import test_customer_keys
from . import test_conflict
from . import test_workflow
from . import test_protection
from . import test_concurrency
from . import test_lead_routing
from . import test_portal
