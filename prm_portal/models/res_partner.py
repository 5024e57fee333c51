# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields, models


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

    def _prm_compute_kpis(self):
        """Add the resource downloads of the last 90 days (engagement)."""
        kpis = super()._prm_compute_kpis()
        if not kpis:
            return kpis
        since = fields.Datetime.now() - timedelta(days=90)
        downloads = dict(
            self.env["prm.resource.download"]
            .sudo()
            ._read_group(
                [("partner_id", "in", list(kpis)), ("date", ">=", since)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner, count in downloads.items():
            kpis[partner.id]["resource_downloads_90d"] = count
        for values in kpis.values():
            values.setdefault("resource_downloads_90d", 0)
        return kpis
