# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _prm_portal_tiles(self):
        """Tiles of the partner dashboard (``/my/partner``).

        Called on the program partner with the portal user's environment, so
        record rules apply. Extension hook: feature addons call ``super()`` and
        append dicts with ``sequence``, ``name``, ``value`` (text), ``url``,
        ``icon`` (a Font Awesome class) and optionally ``hint``.
        """
        self.ensure_one()
        tiles = []
        tasks = self.env["prm.onboarding.task"].search([("partner_id", "=", self.id)])
        if tasks:
            done = len(tasks.filtered("done"))
            tiles.append(
                {
                    "sequence": 90,
                    "name": self.env._("Onboarding"),
                    "value": f"{done}/{len(tasks)}",
                    "url": "/my/partner#prm_onboarding",
                    "icon": "fa-check-square-o",
                }
            )
        return sorted(tiles, key=lambda tile: tile["sequence"])
