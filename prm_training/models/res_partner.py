# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    prm_certification_count = fields.Integer(
        string="Valid Certifications",
        compute="_compute_prm_certification_count",
        help="Valid certifications of the person, or of the company's people.",
    )

    def _compute_prm_certification_count(self):
        PartnerCertification = self.env["prm.partner.certification"]
        valid = PartnerCertification._prm_valid_domain()
        if not PartnerCertification.has_access("read"):
            self.prm_certification_count = 0
            return
        by_company = dict(
            PartnerCertification._read_group(
                [("commercial_partner_id", "in", self.ids), *valid],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        by_person = dict(
            PartnerCertification._read_group(
                [("partner_id", "in", self.ids), *valid],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.prm_certification_count = (
                by_company.get(partner, 0)
                if partner.is_company
                else by_person.get(partner, 0)
            )

    def action_prm_view_certifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prm_training.prm_partner_certification_action"
        )
        field = "commercial_partner_id" if self.is_company else "partner_id"
        action["domain"] = [(field, "=", self.id)]
        action["context"] = {
            "default_partner_id": False if self.is_company else self.id,
            "search_default_filter_not_expired": 1,
        }
        return action

    # ------------------------------------------------------------------
    # Tier requirements: people with a valid certification
    # ------------------------------------------------------------------

    def _prm_compute_kpis(self):
        """Add ``cert_<id>``: people of the partner holding a valid
        certification, for every certification a tier requirement refers to.

        Two queries whatever the number of partners: the requirements, and one
        ``_read_group`` of the valid certifications by partner and
        certification. Company-wide counts, read as superuser so that a portal
        member's progress counts their colleagues too.
        """
        kpis = super()._prm_compute_kpis()
        if not self.ids:
            return kpis
        certifications = (
            self.env["prm.tier.certification.requirement"]
            .sudo()
            .search([])
            .certification_id
        )
        if not certifications:
            return kpis
        keys = {
            certification.id: certification._prm_kpi_key()
            for certification in certifications
        }
        for values in kpis.values():
            values.update(dict.fromkeys(keys.values(), 0))
        PartnerCertification = self.env["prm.partner.certification"].sudo()
        groups = PartnerCertification._read_group(
            [
                ("commercial_partner_id", "in", self.ids),
                ("certification_id", "in", certifications.ids),
                *PartnerCertification._prm_valid_domain(),
            ],
            ["commercial_partner_id", "certification_id"],
            ["partner_id:count_distinct"],
        )
        for partner, certification, count in groups:
            kpis[partner.id][keys[certification.id]] = count
        return kpis

    # ------------------------------------------------------------------
    # Partner portal
    # ------------------------------------------------------------------

    def _prm_portal_tiles(self):
        tiles = super()._prm_portal_tiles()
        PartnerCertification = self.env["prm.partner.certification"]
        if not PartnerCertification.has_access("read"):
            return tiles
        counts = dict(
            PartnerCertification._read_group(
                [
                    ("commercial_partner_id", "=", self.id),
                    *PartnerCertification._prm_valid_domain(),
                ],
                ["state"],
                ["__count"],
            )
        )
        expiring = counts.get("expiring", 0)
        tile = {
            "sequence": 40,
            "name": self.env._("Valid Certifications"),
            "value": str(sum(counts.values())),
            "url": "/my/certifications",
            "icon": "fa-graduation-cap",
        }
        if expiring:
            tile["hint"] = self.env._("%s expiring soon", expiring)
        tiles.append(tile)
        return sorted(tiles, key=lambda tile: tile["sequence"])
