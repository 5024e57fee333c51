from . import prm_application_reject_wizard
