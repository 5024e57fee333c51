from . import prm_tier_override_wizard
