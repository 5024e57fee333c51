from . import test_program_state
from . import test_tier_evaluation
from . import test_attribution
from . import test_security
from . import test_agreement
from . import test_analytics
from . import test_dashboard_tour
from . import test_bulk_rows
