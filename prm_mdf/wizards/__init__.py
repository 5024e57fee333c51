from . import prm_mdf_decision_wizard
