# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The channel partner's tier, type and country are no longer copied onto
the opportunities (the pipeline analysis joins the partner): drop the
columns, which Odoo keeps for fields that are no longer stored."""


def migrate(cr, version):
    cr.execute(
        """
        ALTER TABLE crm_lead
            DROP COLUMN IF EXISTS prm_channel_grade_id,
            DROP COLUMN IF EXISTS prm_channel_partner_type,
            DROP COLUMN IF EXISTS prm_channel_country_id
        """
    )
