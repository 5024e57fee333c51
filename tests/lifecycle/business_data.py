# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Create program data the way users do, through ``odoo shell``.

    odoo shell -d DB --no-http < tests/lifecycle/business_data.py

A database without PRM demo data gets, through the business flows: a tier
with a commission plan, two program partners, an attributed posted invoice,
a commission statement billed as a vendor bill, an approved deal registration
with its opportunity, and a fund request whose claim is paid by vendor bill.
It prints ``PRM_DATA ok`` and commits.
"""
# ruff: noqa: F821 - ``env`` is given by ``odoo shell``

import base64
from datetime import timedelta

from odoo import Command, fields

# unlike one another: a second run's prospect does not conflict with the first
PROSPECTS = ["Aurora Logisztika Zrt.", "Borostyán Bútorgyár Kft.", "Cédrus Nyomda Bt."]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

env = env(context=dict(env.context, tracking_disable=True))
today = fields.Date.context_today(env.user)
# a second run (after a reinstall) makes new partners and a new customer
run = env["res.partner"].search_count([("name", "=like", "Lifecycle Partner A%")]) + 1
plan = env["prm.commission.plan"].create(
    {
        "name": "Lifecycle plan",
        "trigger": "posted",
        "statement_period": "month",
        "volume_period": "month",
        "rule_ids": [
            Command.create({"name": "All", "rate_type": "percent", "rate": 10.0})
        ],
    }
)
tier = env["res.partner.grade"].create(
    {
        "name": f"Lifecycle Tier {run}",
        "prm_rank": 500,
        "prm_auto_approve": True,
        "prm_protection_days": 60,
        "prm_commission_plan_id": plan.id,
    }
)
partners = env["res.partner"].create(
    [
        {
            "name": f"Lifecycle Partner {letter} {run}",
            "is_company": True,
            "prm_state": "active",
            "prm_partner_type": "reseller",
            "grade_id": tier.id,
            "country_id": env.ref("base.hu").id,
        }
        for letter in "AB"
    ]
)
customer = env["res.partner"].create({"name": "Lifecycle Customer Kft."})
product = env["product.product"].create(
    {"name": "Lifecycle Licence", "list_price": 2000.0, "taxes_id": False}
)
invoice = env["account.move"].create(
    {
        "move_type": "out_invoice",
        "partner_id": customer.id,
        "invoice_date": today - timedelta(days=40),
        "prm_channel_partner_id": partners[0].id,
        "invoice_line_ids": [
            Command.create(
                {
                    "product_id": product.id,
                    "quantity": 1,
                    "price_unit": 2000.0,
                    "tax_ids": [Command.clear()],
                }
            )
        ],
    }
)
invoice.action_post()
statement = env["prm.commission.statement"]._prm_generate_statements(today, partners[0])
statement.action_approve()
statement.action_create_bill()
assert statement.bill_id, "the statement has its vendor bill"

registration = env["prm.deal.registration"].create(
    {
        "partner_id": partners[1].id,
        "customer_name": PROSPECTS[run % len(PROSPECTS)],
        "customer_vat": f"HU9988776{run}",
        "customer_country_id": env.ref("base.hu").id,
        "date_expected_close": today + timedelta(days=30),
        "expected_revenue": 15000.0,
    }
)
registration.action_submit()
assert registration.state == "approved" and registration.lead_id

period = env["prm.mdf.period"].create(
    {
        "name": f"Lifecycle period {run}",
        "period_type": "quarter",
        "date_from": today.replace(day=1),
        "budget": 10000.0,
        "allocation_rule": "manual",
        "state": "open",
    }
)
env["prm.mdf.allocation"].create(
    {"period_id": period.id, "partner_id": partners[1].id, "amount": 5000.0}
)
fund_request = env["prm.mdf.request"].create(
    {
        "title": "Lifecycle webinar",
        "partner_id": partners[1].id,
        "date_start": today,
        "date_end": today + timedelta(days=1),
        "amount_requested": 1200.0,
    }
)
fund_request.action_submit()
fund_request._action_approve(None)
claim = env["prm.mdf.claim"].create({"request_id": fund_request.id, "amount": 1000.0})
proof = env["ir.attachment"].create(
    {
        "name": "invoice.pdf",
        "datas": base64.b64encode(PDF),
        "res_model": "prm.mdf.claim",
        "res_id": claim.id,
    }
)
claim.proof_attachment_ids = [Command.link(proof.id)]
claim.action_submit()
claim.action_approve()
assert claim.move_id, "the claim has its vendor bill"
env.cr.commit()
print("PRM_DATA ok")
