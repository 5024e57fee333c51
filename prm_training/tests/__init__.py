from . import test_certification_pass
from . import test_expiry
from . import test_tier_requirements
from . import test_course_access
from . import test_portal
from . import test_security
from . import test_analytics
