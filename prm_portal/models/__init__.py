from . import prm_agreement
from . import res_partner
from . import res_users
