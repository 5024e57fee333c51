from . import test_application
from . import test_portal_access
from . import test_announcement
from . import test_tours
from . import test_churn
from . import test_nps
