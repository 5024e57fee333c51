from . import prm_commission_report
