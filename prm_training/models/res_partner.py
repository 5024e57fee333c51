# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    prm_certification_count = fields.Integer(
        string="Valid Certifications",
        compute="_compute_prm_certification_count",
        help="Valid certifications of the person, or of the company's people.",
    )

    prm_certified_people_count = fields.Integer(
        string="People Certified",
        compute="_compute_prm_certified_people_count",
        help="People of the partner holding at least one valid certification.",
    )

    def _compute_prm_certified_people_count(self):
        """One ``_read_group`` for the whole recordset."""
        PartnerCertification = self.env["prm.partner.certification"]
        if not PartnerCertification.has_access("read"):
            self.prm_certified_people_count = 0
            return
        people = dict(
            PartnerCertification._read_group(
                [
                    ("commercial_partner_id", "in", self.ids),
                    *PartnerCertification._prm_valid_domain(),
                ],
                ["commercial_partner_id"],
                ["partner_id:count_distinct"],
            )
        )
        for partner in self:
            partner.prm_certified_people_count = people.get(partner, 0)

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
    # Churn risk: expiring and expired certifications
    # ------------------------------------------------------------------

    def _prm_churn_signals(self):
        """Add the certifications that expire soon or expired recently (and
        were not renewed). Two ``_read_group`` whatever the number of
        partners."""
        signals = super()._prm_churn_signals()
        if not self.ids:
            return signals
        days = max(self._prm_churn_param("churn_certification_days", 30), 1)
        period = max(self._prm_churn_param("churn_period_days", 90), 1)
        today = fields.Date.context_today(self)
        soon = today + timedelta(days=days)
        expired_since = today - timedelta(days=period)
        PartnerCertification = self.env["prm.partner.certification"].sudo()
        partners = [("commercial_partner_id", "in", self.ids)]
        expiring = {
            partner.id: count
            for partner, count in PartnerCertification._read_group(
                [*partners, ("expiry_date", ">=", today), ("expiry_date", "<=", soon)],
                ["commercial_partner_id"],
                ["__count"],
            )
        }
        expired = {
            partner.id: count
            for partner, count in PartnerCertification._read_group(
                [
                    *partners,
                    ("expiry_date", ">=", expired_since),
                    ("expiry_date", "<", today),
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        }
        for partner_id, count in expiring.items():
            if count == 1:
                message = self.env._(
                    "1 certification expires within %(days)s days.", days=days
                )
            else:
                message = self.env._(
                    "%(count)s certifications expire within %(days)s days.",
                    count=count,
                    days=days,
                )
            signals[partner_id].append((min(20, 5 * count), message))
        for partner_id, count in expired.items():
            if count == 1:
                message = self.env._(
                    "1 certification expired in the last %(days)s days without "
                    "renewal.",
                    days=period,
                )
            else:
                message = self.env._(
                    "%(count)s certifications expired in the last %(days)s days "
                    "without renewal.",
                    count=count,
                    days=period,
                )
            signals[partner_id].append((min(25, 10 * count), message))
        return signals

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
