from . import prm_deal_registration_report
