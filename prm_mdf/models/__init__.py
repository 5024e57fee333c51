from . import res_company
from . import res_config_settings
from . import prm_mdf_period
from . import prm_mdf_allocation
from . import prm_mdf_request
from . import prm_mdf_claim
from . import account_move
from . import res_partner
