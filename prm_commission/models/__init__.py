# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import prm_commission_plan
from . import prm_commission_rule
from . import prm_commission_band
from . import prm_commission_line
from . import prm_commission_entitlement
from . import prm_commission_statement
from . import account_move
from . import account_move_line
from . import account_partial_reconcile
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_partner_grade
