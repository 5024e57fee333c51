# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deterministic data at scale for the PRM benchmarks.

A few records of each kind are created through the ORM (so that every required
column, default and constraint is right), then cloned set-based with
``INSERT ... SELECT generate_series``. Every varying value is a function of the
series number ``g`` (no ``random()``), so the data depends only on the scale.
The table ``perf_map(kind, idx, rec_id)`` remembers what was generated, for the
benchmark steps that run later in other processes.
"""

import time
from datetime import date, timedelta

from odoo.fields import Command

# Sizes at scale 1.0 (the figures).
SIZES = {
    "partners": 5000,
    "invoice_lines": 200000,
    "customers": 50000,
    "opportunities": 50000,
    "registrations": 20000,
    # the partner whose portal pages B4 loads
    "big_registrations": 5000,
    "big_commission_lines": 20000,
}
LINES_PER_INVOICE = 4
# (quantity, unit price) of the four product lines of every invoice; every
# invoice multiplies the prices by an integer factor, so amounts stay whole and
# 10 % of them are exact in cents (the three B1 variants must agree exactly).
INVOICE_SHAPE = [(1, 1000.0), (2, 100.0), (10, 50.0), (1, 300.0)]
COMMISSION_RATE = 10.0
WORDS_A = [
    "acme", "globex", "initech", "umbrella", "stark", "wayne", "tyrell",
    "cyberdyne", "soylent", "hooli", "vandelay", "wonka", "gringotts", "oscorp",
    "aperture", "massive", "dynamic", "pied", "piper", "monarch", "nakatomi",
    "virtucon", "zorin", "duff", "krusty", "bluth", "dunder", "mifflin",
    "sterling", "cooper", "prestige", "ollivander", "spacely", "cogswell",
    "roxxon", "kord", "queen", "lexcorp", "abstergo", "weyland",
]  # fmt: skip
WORDS_B = [
    "systems", "solutions", "logistics", "foods", "energy", "robotics",
    "analytics", "networks", "consulting", "pharma", "textiles", "motors",
    "labs", "media", "security", "holdings", "partners", "trading", "works",
    "studios", "farms", "capital", "devices", "software", "clinics",
]  # fmt: skip


def sizes(scale):
    """Record counts at ``scale`` (at least a handful of each)."""
    result = {key: max(int(round(value * scale)), 8) for key, value in SIZES.items()}
    result["invoices"] = max(result["invoice_lines"] // LINES_PER_INVOICE, 8)
    result["invoice_lines"] = result["invoices"] * LINES_PER_INVOICE
    result["big_invoices"] = min(
        result["big_commission_lines"] // LINES_PER_INVOICE, result["invoices"] // 2
    )
    result["big_registrations"] = min(
        result["big_registrations"], result["registrations"] // 2
    )
    return result


def sql_words(words, expr):
    """SQL picking ``words[expr % len(words)]``."""
    array = ", ".join(f"'{word}'" for word in words)
    return f"(ARRAY[{array}])[1 + ({expr}) % {len(words)}]"


def company_name_sql(expr):
    """Lower-case company name of number ``expr`` (already normalized)."""
    first = sql_words(WORDS_A, expr)
    second = sql_words(WORDS_B, f"({expr}) / {len(WORDS_A)}")
    return f"({first} || ' ' || {second} || ' ' || ({expr})::text)"


def company_name(number):
    """Python twin of ``company_name_sql``."""
    first = WORDS_A[number % len(WORDS_A)]
    second = WORDS_B[(number // len(WORDS_A)) % len(WORDS_B)]
    return f"{first} {second} {number}"


# ----------------------------------------------------------------------
# Set-based cloning
# ----------------------------------------------------------------------


def table_columns(cr, table):
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = %s
           AND column_name <> 'id'
      ORDER BY ordinal_position
        """,
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def reserve_ids(cr, table, count):
    """First of ``count`` consecutive free ids of ``table``; moves its sequence
    past them."""
    cr.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
    first = cr.fetchone()[0]
    cr.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
        [table, first + count - 1],
    )
    return first


def clone(cr, table, template_where, count, overrides, per=1, joins=""):
    """Insert ``count`` copies (``g`` = 1..count) of the ``per`` template rows
    of ``table`` matching ``template_where`` (numbered ``t.k`` = 1..per by id).

    ``overrides`` maps a column to an SQL expression of ``g``, ``t.k``, ``t.*``
    and of the ``joins``; the new ids are ``first + (g - 1) * per + t.k - 1``.
    Returns ``first``.
    """
    columns = table_columns(cr, table)
    unknown = set(overrides) - set(columns)
    assert not unknown, f"{table} has no column {unknown}"
    first = reserve_ids(cr, table, count * per)
    values = [overrides.get(column, f't."{column}"') for column in columns]
    cr.execute(
        f"""
        INSERT INTO "{table}" (id, {", ".join(f'"{c}"' for c in columns)})
        SELECT {first} + (g - 1) * {per} + t.k - 1, {", ".join(values)}
          FROM generate_series(1, {count}) AS g
    CROSS JOIN (SELECT *, row_number() OVER (ORDER BY id) AS k
                  FROM "{table}" WHERE {template_where}) AS t
          {joins}
        """
    )
    assert cr.rowcount == count * per, (table, cr.rowcount, count * per)
    return first


def remember(cr, kind, first, count, start_idx=0):
    cr.execute(
        """
        INSERT INTO perf_map (kind, idx, rec_id)
        SELECT %s, %s + g - 1, %s + g - 1 FROM generate_series(1, %s) AS g
        """,
        [kind, start_idx, first, count],
    )


def mapped_ids(cr, kind):
    cr.execute("SELECT rec_id FROM perf_map WHERE kind = %s ORDER BY idx", [kind])
    return [row[0] for row in cr.fetchall()]


def meta(cr, key):
    cr.execute("SELECT value FROM perf_meta WHERE key = %s", [key])
    row = cr.fetchone()
    return row and row[0]


# ----------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------


class Generator:
    def __init__(self, env, scale, log):
        self.env = env
        self.cr = env.cr
        self.scale = scale
        self.size = sizes(scale)
        self.log = log
        self.today = date.today()

    def step(self, label, function, *args):
        started = time.perf_counter()
        result = function(*args)
        self.log(f"  {label}: {time.perf_counter() - started:.1f}s")
        return result

    def run(self):
        cr = self.cr
        cr.execute(
            """
            CREATE TABLE perf_map (kind varchar, idx int, rec_id int);
            CREATE INDEX perf_map_kind_idx ON perf_map (kind, idx);
            CREATE TABLE perf_meta (key varchar PRIMARY KEY, value varchar);
            """
        )
        self.step("tiers, plan, products", self.setup_program)
        self.step("program partners", self.partners)
        self.step("customer companies", self.customers)
        self.step("posted customer invoices", self.invoices)
        self.step("opportunities", self.opportunities)
        self.step("deal registrations", self.registrations)
        self.step("marketing funds", self.funds)
        self.step("portal users", self.portal_users)
        self.env.invalidate_all()
        self.step("ANALYZE", cr.execute, "ANALYZE")
        for key, value in self.size.items():
            self.set_meta(f"size_{key}", value)
        return self.size

    def set_meta(self, key, value):
        self.cr.execute(
            "INSERT INTO perf_meta (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, str(value)],
        )

    def setup_program(self):
        env = self.env
        env["res.partner.grade"].search([]).write({"active": False})
        plan = env["prm.commission.plan"].create(
            {
                "name": "Benchmark plan",
                "trigger": "posted",
                "statement_period": "month",
                "volume_period": "month",
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Everything",
                            "rate_type": "percent",
                            "rate": COMMISSION_RATE,
                        }
                    )
                ],
            }
        )
        grades = env["res.partner.grade"].create(
            [
                {"name": "Bronze", "prm_rank": 1, "prm_protection_days": 60},
                {
                    "name": "Silver",
                    "prm_rank": 2,
                    "prm_min_revenue": 60000,
                    "prm_protection_days": 90,
                },
                {
                    "name": "Gold",
                    "prm_rank": 3,
                    "prm_min_revenue": 150000,
                    "prm_min_won_deals": 3,
                    "prm_protection_days": 120,
                    "prm_auto_approve": True,
                },
            ]
        )
        grades.write({"prm_commission_plan_id": plan.id})
        self.grades = grades
        self.plan = plan
        products = env["product.product"].create(
            [
                {
                    "name": name,
                    "list_price": price,
                    "taxes_id": [Command.clear()],
                    "invoice_policy": "order",
                }
                for name, (_qty, price) in zip(
                    ["Licence", "Support", "Hardware", "Training"],
                    INVOICE_SHAPE,
                    strict=True,
                )
            ]
        )
        self.products = products
        self.set_meta("plan_id", plan.id)
        self.set_meta("rule_id", plan.rule_ids.id)

    def partners(self):
        env, cr, count = self.env, self.cr, self.size["partners"]
        template = env["res.partner"].create(
            {
                "name": "Partner 00000",
                "is_company": True,
                "prm_partner_type": "reseller",
                "prm_state": "active",
                "grade_id": self.grades[0].id,
                "email": "partner00000@example.com",
            }
        )
        env.flush_all()
        grade_ids = self.grades.ids
        grade = (
            f"CASE WHEN g % 10 < 6 THEN {grade_ids[0]} "
            f"WHEN g % 10 < 9 THEN {grade_ids[1]} ELSE {grade_ids[2]} END"
        )
        name = "'Partner ' || lpad(g::text, 5, '0')"
        first = clone(
            cr,
            "res_partner",
            f"id = {template.id}",
            count - 1,
            {
                "name": name,
                "complete_name": name,
                "email": "'partner' || lpad(g::text, 5, '0') || '@example.com'",
                "grade_id": grade,
            },
        )
        cr.execute(
            "UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s",
            [first],
        )
        remember(cr, "partner", template.id, 1)
        remember(cr, "partner", first, count - 1, start_idx=1)

    def customers(self):
        env, cr, count = self.env, self.cr, self.size["customers"]
        template = env["res.partner"].create(
            {
                "name": company_name(0),
                "is_company": True,
                "customer_rank": 1,
                "vat": "BE0000000000",
                "website": "https://c0.example.com",
            }
        )
        env.flush_all()
        name = company_name_sql("g")
        first = clone(
            cr,
            "res_partner",
            f"id = {template.id}",
            count - 1,
            {
                "name": name,
                "complete_name": name,
                "prm_name_normalized": name,
                "vat": "'BE' || lpad(g::text, 10, '0')",
                "prm_vat_normalized": "'BE' || lpad(g::text, 10, '0')",
                "website": "'https://c' || g || '.example.com'",
                "prm_domain_normalized": "'c' || g || '.example.com'",
            },
        )
        cr.execute(
            "UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s",
            [first],
        )
        remember(cr, "customer", template.id, 1)
        remember(cr, "customer", first, count - 1, start_idx=1)

    def invoices(self):
        env, cr, count = self.env, self.cr, self.size["invoices"]
        customer = env["res.partner"].browse(mapped_ids(cr, "customer")[0])
        partner = env["res.partner"].browse(mapped_ids(cr, "partner")[0])
        move = (
            env["account.move"]
            .with_context(prm_commission_skip=True)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": self.today,
                    "prm_channel_partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": quantity,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                            }
                        )
                        for product, (quantity, price) in zip(
                            self.products, INVOICE_SHAPE, strict=True
                        )
                    ],
                }
            )
        )
        move.with_context(prm_commission_skip=True).action_post()
        env.flush_all()
        cr.execute(
            "SELECT count(*) FROM account_move_line WHERE move_id = %s", [move.id]
        )
        per = cr.fetchone()[0]
        n_partners = self.size["partners"]
        n_customers = self.size["customers"]
        big = self.size["big_invoices"]
        # g = 1..count-1; the big partner (index 1) gets the first `big` ones
        factor = "(1 + g % 7)"
        day = f"(DATE '{self.today}' - (g % 330))"
        name = "'INV/BENCH/' || lpad(g::text, 7, '0')"
        joins = f"""
            JOIN perf_map pc ON pc.kind = 'customer' AND pc.idx = g % {n_customers}
            JOIN perf_map pp ON pp.kind = 'partner' AND pp.idx = CASE
                 WHEN g <= {big} THEN 1 ELSE (g * 7919) % {n_partners} END
        """
        money = {
            column: f"t.{column} * {factor}"
            for column in (
                "amount_untaxed",
                "amount_tax",
                "amount_total",
                "amount_residual",
                "amount_untaxed_signed",
                "amount_untaxed_in_currency_signed",
                "amount_tax_signed",
                "amount_total_signed",
                "amount_total_in_currency_signed",
                "amount_residual_signed",
            )
            if column in table_columns(cr, "account_move")
        }
        first_move = clone(
            cr,
            "account_move",
            f"id = {move.id}",
            count - 1,
            {
                "name": name,
                "sequence_prefix": "'INV/BENCH/'",
                "sequence_number": "g",
                "payment_reference": name,
                "partner_id": "pc.rec_id",
                "commercial_partner_id": "pc.rec_id",
                "partner_shipping_id": "pc.rec_id",
                "prm_channel_partner_id": "pp.rec_id",
                "invoice_date": day,
                "date": day,
                "invoice_date_due": day,
                "access_token": "NULL",
                **money,
            },
            joins=joins,
        )
        line_money = {
            column: f"t.{column} * {factor}"
            for column in (
                "debit",
                "credit",
                "balance",
                "amount_currency",
                "amount_residual",
                "amount_residual_currency",
                "price_unit",
                "price_subtotal",
                "price_total",
            )
        }
        clone(
            cr,
            "account_move_line",
            f"move_id = {move.id}",
            count - 1,
            {
                "move_id": f"{first_move} + g - 1",
                "move_name": name,
                "partner_id": "pc.rec_id",
                "date": day,
                "invoice_date": day,
                "date_maturity": f"CASE WHEN t.date_maturity IS NULL THEN NULL "
                f"ELSE {day} END",
                **line_money,
            },
            per=per,
            joins=joins,
        )
        cr.execute(
            "UPDATE account_move SET name = 'INV/BENCH/0000000', "
            "sequence_prefix = 'INV/BENCH/', sequence_number = 0, "
            "prm_channel_partner_id = %s WHERE id = %s",
            [mapped_ids(cr, "partner")[1], move.id],
        )
        cr.execute(
            "UPDATE account_move_line SET move_name = 'INV/BENCH/0000000' "
            "WHERE move_id = %s",
            [move.id],
        )
        remember(cr, "invoice", move.id, 1)
        remember(cr, "invoice", first_move, count - 1, start_idx=1)
        cr.execute(
            """
            SELECT count(*), SUM(debit) - SUM(credit)
              FROM account_move_line
             WHERE move_id IN (SELECT rec_id FROM perf_map WHERE kind = 'invoice')
            """
        )
        lines, unbalance = cr.fetchone()
        assert lines == count * per and not unbalance, (lines, unbalance)

    def opportunities(self):
        env, cr, count = self.env, self.cr, self.size["opportunities"]
        stages = env["crm.stage"].search([])
        won = stages.filtered("is_won")[:1]
        open_stage = (stages - won)[:1]
        partner = env["res.partner"].browse(mapped_ids(cr, "partner")[0])
        template = env["crm.lead"].create(
            {
                "name": "Opportunity 0",
                "type": "opportunity",
                "partner_name": company_name(1000000),
                "website": "https://l0.example.net",
                "expected_revenue": 1000,
                "stage_id": open_stage.id,
                "prm_channel_partner_id": partner.id,
            }
        )
        env.flush_all()
        n_partners = self.size["partners"]
        name = company_name_sql("1000000 + g")
        clone(
            cr,
            "crm_lead",
            f"id = {template.id}",
            count - 1,
            {
                "name": "'Opportunity ' || g",
                "partner_name": name,
                "prm_name_normalized": name,
                "prm_vat_normalized": "'FR' || lpad(g::text, 11, '0')",
                "prm_domain_normalized": "'l' || g || '.example.net'",
                "website": "'https://l' || g || '.example.net'",
                "expected_revenue": "1000 + (g % 50) * 100",
                "prm_channel_partner_id": "CASE WHEN g % 5 < 3 THEN pp.rec_id END",
                "stage_id": f"CASE WHEN g % 5 = 0 THEN {won.id} "
                f"ELSE {open_stage.id} END",
                "probability": "CASE WHEN g % 5 = 0 THEN 100 "
                "WHEN g % 5 = 1 THEN 0 ELSE 30 END",
                "active": "g % 5 <> 1",
                "date_closed": f"CASE WHEN g % 5 < 2 THEN "
                f"TIMESTAMP '{self.today}' - (g % 300) * INTERVAL '1 day' END",
            },
            joins=f"JOIN perf_map pp ON pp.kind = 'partner' "
            f"AND pp.idx = (g * 13) % {n_partners}",
        )

    def registrations(self):
        env, cr, count = self.env, self.cr, self.size["registrations"]
        big = self.size["big_registrations"]
        partner_ids = mapped_ids(cr, "partner")
        template = (
            env["prm.deal.registration"]
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create(
                {
                    "partner_id": partner_ids[1],
                    "customer_name": company_name(2000000),
                    "customer_vat": "DE000000000",
                    "customer_website": "https://r0.example.org",
                    "expected_revenue": 5000,
                }
            )
        )
        env.flush_all()
        n_partners = self.size["partners"]
        name = company_name_sql("2000000 + g")
        first = clone(
            cr,
            "prm_deal_registration",
            f"id = {template.id}",
            count - 1,
            {
                "name": "'DR/BENCH/' || lpad(g::text, 6, '0')",
                "partner_id": "pp.rec_id",
                "customer_name": name,
                "name_normalized": name,
                "customer_vat": "'DE' || lpad(g::text, 9, '0')",
                "vat_normalized": "'DE' || lpad(g::text, 9, '0')",
                "customer_website": "'https://r' || g || '.example.org'",
                "domain_normalized": "'r' || g || '.example.org'",
                "expected_revenue": "1000 + (g % 40) * 250",
                "state": "(ARRAY['draft', 'submitted', 'approved', 'won', "
                "'rejected', 'submitted', 'approved', 'lost'])[1 + g % 8]",
                "date_submitted": "CASE WHEN g % 8 > 0 THEN now() END",
                "protection_start": f"CASE WHEN g % 8 = 2 OR g % 8 = 6 THEN "
                f"DATE '{self.today}' - (g % 30) END",
                "protection_end": f"CASE WHEN g % 8 = 2 OR g % 8 = 6 THEN "
                f"DATE '{self.today}' - (g % 30) + 90 END",
            },
            joins=f"""JOIN perf_map pp ON pp.kind = 'partner' AND pp.idx = CASE
                 WHEN g < {big} THEN 1 ELSE (g * 31) % {n_partners} END""",
        )
        remember(cr, "registration", template.id, 1)
        remember(cr, "registration", first, count - 1, start_idx=1)

    def funds(self):
        env, cr = self.env, self.cr
        quiet = {"tracking_disable": True, "mail_create_nolog": True}
        period = (
            env["prm.mdf.period"]
            .with_context(**quiet)
            .create(
                {
                    "name": "Benchmark fund period",
                    "period_type": "year",
                    "date_from": self.today.replace(month=1, day=1),
                    "date_to": self.today.replace(month=12, day=31),
                    "budget": 1e9,
                }
            )
        )
        partner_ids = mapped_ids(cr, "partner")
        allocations = (
            env["prm.mdf.allocation"]
            .with_context(**quiet)
            .create(
                [
                    {
                        "period_id": period.id,
                        "partner_id": partner_id,
                        "amount": 1000 + (index % 10) * 500,
                    }
                    for index, partner_id in enumerate(partner_ids)
                ]
            )
        )
        requests = (
            env["prm.mdf.request"]
            .with_context(**quiet)
            .create(
                [
                    {
                        "partner_id": partner_id,
                        "title": f"Campaign {index}",
                        "date_start": self.today + timedelta(days=10),
                        "date_end": self.today + timedelta(days=40),
                        "amount_requested": 500 + (index % 7) * 100,
                    }
                    for index, partner_id in enumerate(partner_ids)
                ]
            )
        )
        env.flush_all()
        self.size["mdf_allocations"] = len(allocations)
        self.size["mdf_requests"] = len(requests)

    def portal_users(self):
        env, cr = self.env, self.cr
        partner_ids = mapped_ids(cr, "partner")
        groups = [
            env.ref("base.group_portal").id,
            env.ref("prm_base.group_prm_partner_admin").id,
        ]
        # the big partner (index 1) and a small one (a partner of index 7 has
        # a handful of invoices and registrations)
        for key, partner_id in (("big", partner_ids[1]), ("small", partner_ids[7])):
            contact = env["res.partner"].create(
                {
                    "name": f"Bench {key} admin",
                    "parent_id": partner_id,
                    "email": f"bench-{key}@example.com",
                }
            )
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "name": contact.name,
                    "login": f"bench-{key}",
                    "password": f"bench-{key}-password",
                    "partner_id": contact.id,
                    "groups_id": [Command.set(groups)],
                }
            )
            self.set_meta(f"portal_{key}_partner", partner_id)
        env.flush_all()
