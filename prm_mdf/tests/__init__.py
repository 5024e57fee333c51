from . import test_allocation
from . import test_request
from . import test_claim
from . import test_expiry
from . import test_roi
from . import test_security
from . import test_concurrency
from . import test_portal
