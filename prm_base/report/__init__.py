from . import prm_report_mixin
from . import prm_revenue_report
