# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import prm_commission_preview
from . import prm_commission_dispute_wizard
