# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark steps that run inside Odoo (called by tests/perf/run).

    python3 bench.py STEP --results FILE [--scale S] -- ODOO_OPTIONS...

STEP is one of ``generate``, ``b1``, ``b2``, ``b3``, ``info``. Every step adds
its figures to the JSON results file; correctness checks raise (the run
command then reports the failure).
"""

import argparse
import cProfile
import io
import json
import pathlib
import pstats
import random
import statistics
import sys
import time
from datetime import date

from dateutil.relativedelta import relativedelta

import odoo
from odoo.tools import SQL, config

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import datagen  # noqa: E402

OCA_SUBSET_LINES = 20000
B3_CHECKS = 500
TRIGRAM_INDEXES = {
    "registration": "prm_deal_registration_name_normalized_trgm_idx",
    "lead": "crm_lead_prm_name_normalized_trgm_idx",
    "customer": "res_partner_prm_name_normalized_trgm_idx",
}


def log(message):
    print(message, file=sys.stderr, flush=True)


class Results:
    """The JSON file the steps share: rows of the table, notes, extras."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        if self.path.exists():
            self.data = json.loads(self.path.read_text())
        else:
            self.data = {"rows": [], "notes": [], "extra": {}}

    def row(self, bench, measure, value, baseline="", ratio="", target="", met=""):
        self.data["rows"].append(
            {
                "bench": bench,
                "measure": measure,
                "value": value,
                "baseline": baseline,
                "ratio": ratio,
                "target": target,
                "met": met,
            }
        )
        log(f"  {bench} | {measure} | {value} | {baseline} | {ratio} | {met}")

    def note(self, text):
        self.data["notes"].append(text)
        log(f"  note: {text}")

    def save(self):
        self.path.write_text(json.dumps(self.data, indent=1, default=str))


def yes_no(flag):
    return "yes" if flag else "**NO**"


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


# ----------------------------------------------------------------------
# Steps
# ----------------------------------------------------------------------


def step_info(env, results, args):
    env.cr.execute("SHOW server_version")
    results.data["extra"]["postgresql"] = env.cr.fetchone()[0]
    results.data["extra"]["odoo"] = odoo.release.version
    env.cr.execute(
        "SELECT name FROM ir_module_module WHERE state = 'installed' "
        "AND name IN ('commission_oca', 'account_commission_oca')"
    )
    results.data["extra"]["oca"] = sorted(row[0] for row in env.cr.fetchall())


def step_generate(env, results, args):
    started = time.perf_counter()
    size = datagen.Generator(env, args.scale, log).run()
    env.cr.commit()
    elapsed = time.perf_counter() - started
    results.data["extra"]["sizes"] = size
    results.data["extra"]["generation_seconds"] = round(elapsed, 1)
    results.row(
        "data",
        "generation (ORM seeds + set-based SQL)",
        f"{elapsed:.1f} s",
        target="minutes",
    )


def bench_moves(env):
    return env["account.move"].browse(datagen.mapped_ids(env.cr, "invoice"))


def commission_totals(cr, move_ids=None):
    where = "move_id IN (SELECT rec_id FROM perf_map WHERE kind = 'invoice')"
    params = []
    if move_ids is not None:
        where = "move_id = ANY(%s)"
        params = [list(move_ids)]
    # fresh statistics: with those of the empty table, the planner may pick a
    # nested loop over hundreds of thousands of new rows
    cr.execute("ANALYZE prm_commission_line")
    cr.execute(
        f"SELECT count(*), COALESCE(SUM(amount_company), 0), "
        f"COALESCE(SUM(amount), 0) FROM prm_commission_line WHERE {where}",
        params,
    )
    count, total_company, total = cr.fetchone()
    return count, round(float(total_company), 2), round(float(total), 2)


FLOOR_SQL = """
INSERT INTO prm_commission_line (
    name, date, kind, partner_id, grade_id, company_id, currency_id, move_id,
    move_name, invoice_date, invoice_line_id, product_id, product_categ_id,
    deal_origin, plan_id, rule_id, base, rate, paid_share, amount,
    amount_company, state, create_uid, create_date, write_uid, write_date)
SELECT m.name || ': ' || split_part(COALESCE(l.name, ''), E'\\n', 1),
       COALESCE(m.invoice_date, m.date), 'invoice', p.id, p.grade_id,
       m.company_id, m.currency_id, m.id, m.name, m.invoice_date, l.id,
       l.product_id, pt.categ_id, 'referral', %(plan)s, %(rule)s,
       -l.amount_currency, %(rate)s, 100.0,
       round(-l.amount_currency * %(rate)s / 100.0, 2),
       round(-l.balance * %(rate)s / 100.0, 2),
       'pending', 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
  FROM account_move_line l
  JOIN account_move m ON m.id = l.move_id
  JOIN res_partner p ON p.id = m.prm_channel_partner_id
  JOIN product_product pp ON pp.id = l.product_id
  JOIN product_template pt ON pt.id = pp.product_tmpl_id
 WHERE m.id IN (SELECT rec_id FROM perf_map WHERE kind = 'invoice')
   AND m.state = 'posted'
   AND l.display_type = 'product'
"""


def step_b1(env, results, args):
    cr = env.cr
    moves = bench_moves(env)
    n_lines = int(datagen.meta(cr, "size_invoice_lines"))
    plan_id = int(datagen.meta(cr, "plan_id"))
    rule_id = int(datagen.meta(cr, "rule_id"))
    done, _total, _ = commission_totals(cr)
    assert not done, "commission lines exist already: B1 needs a fresh database"

    # (a) the floor: one INSERT ... SELECT, rolled back afterwards
    cr.commit()
    params = {"plan": plan_id, "rule": rule_id, "rate": datagen.COMMISSION_RATE}
    floor_time, _ = timed(cr.execute, FLOOR_SQL, params)
    floor_count, floor_total, _ = commission_totals(cr)
    cr.rollback()
    env.invalidate_all()
    log(f"  floor: {floor_count} lines, {floor_total} in {floor_time:.2f}s")

    # ours: the method the invoice posting calls, on every posted invoice
    env.invalidate_all()
    profile = cProfile.Profile() if args.profile else None

    def ours():
        if profile:
            profile.enable()
        lines = moves._prm_commission_on_post()
        env.flush_all()
        if profile:
            profile.disable()
        return lines

    ours_time, lines = timed(ours)
    cr.commit()
    env.invalidate_all()
    ours_count, ours_total, _ = commission_totals(cr)
    log(f"  ours: {ours_count} lines, {ours_total} in {ours_time:.2f}s")
    assert len(lines) == ours_count
    assert ours_count == floor_count == n_lines, (ours_count, floor_count, n_lines)
    assert abs(ours_total - floor_total) < 0.005, (ours_total, floor_total)
    if profile:
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(25)
        results.data["extra"]["b1_profile"] = stream.getvalue()

    ratio_floor = ours_time / floor_time
    results.row(
        "B1 commissions",
        f"ours: {ours_count:,} lines from posted invoices",
        f"{ours_time:.2f} s ({ours_count / ours_time:,.0f} lines/s)",
        f"floor SQL: {floor_time:.2f} s ({floor_count / floor_time:,.0f} lines/s)",
        f"ours/floor {ratio_floor:.1f}x",
        "<= 2x",
        yes_no(ratio_floor <= 2),
    )
    results.row(
        "B1 commissions",
        "correctness: same line count and total (ours = floor)",
        f"{ours_count:,} lines, {ours_total:,.2f}",
        f"{floor_count:,} lines, {floor_total:,.2f}",
        "",
        "equal",
        "yes",
    )
    results.data["extra"]["b1"] = {
        "ours_seconds": ours_time,
        "floor_seconds": floor_time,
        "lines": ours_count,
    }
    step_b1_oca(env, results, moves, ours_time, ours_count)


def step_b1_oca(env, results, moves, ours_time, ours_count):
    cr = env.cr
    if "commission" not in env or "account.invoice.line.agent" not in env:
        results.row(
            "B1 commissions",
            "OCA commission_oca + account_commission_oca",
            "not measured (commission_oca not installed)",
            target=">= 10x faster than OCA",
            met="not measured",
        )
        results.note(
            "OCA BASELINE NOT MEASURED: commission_oca / account_commission_oca "
            "are not installed (pip install odoo-addon-account_commission_oca)."
        )
        return
    # whole invoices of about OCA_SUBSET_LINES lines, taken at even steps
    # through all of them: the sample has the invoices per agent, the months
    # and the amounts of the whole (the first invoices all belong to B4's
    # partner: one agent, one settlement, which would flatter OCA)
    per = datagen.LINES_PER_INVOICE
    size = max(1, min(len(moves), OCA_SUBSET_LINES // per))
    subset = moves[:: max(1, len(moves) // size)][:size]
    amls = env["account.move.line"].search(
        [("move_id", "in", subset.ids), ("display_type", "=", "product")]
    )
    commission = env["commission"].create(
        {
            "name": "Benchmark 10%",
            "commission_type": "fixed",
            "fix_qty": datagen.COMMISSION_RATE,
            "amount_base_type": "gross_amount",
            "settlement_type": "sale_invoice",
            "invoice_state": "open",
        }
    )
    agents = subset.prm_channel_partner_id
    # same agents and rate as ours: the channel partners, 10 % (setup, untimed)
    cr.execute(
        "UPDATE res_partner SET agent = TRUE, agent_type = 'agent', "
        "commission_id = %s, settlement = 'monthly' WHERE id = ANY(%s)",
        [commission.id, agents.ids],
    )
    cr.commit()
    env.invalidate_all()
    AgentLine = env["account.invoice.line.agent"]
    date_to = date.today() + relativedelta(months=1, day=1)

    def oca():
        agent_lines = AgentLine.create(
            [
                {
                    "object_id": aml.id,
                    "agent_id": aml.move_id.prm_channel_partner_id.id,
                    "commission_id": commission.id,
                }
                for aml in amls
            ]
        )
        wizard = env["commission.make.settle"].create(
            {
                "date_to": date_to,
                "settlement_type": "sale_invoice",
                "agent_ids": [(6, 0, agents.ids)],
            }
        )
        wizard.action_settle()
        env.flush_all()
        return agent_lines

    oca_time, agent_lines = timed(oca)
    cr.commit()
    env.invalidate_all()
    cr.execute(
        "SELECT count(*), COALESCE(SUM(settled_amount), 0) "
        "FROM commission_settlement_line WHERE invoice_agent_line_id = ANY(%s)",
        [agent_lines.ids],
    )
    oca_count, oca_total = cr.fetchone()
    oca_total = round(float(oca_total), 2)
    sub_count, _sub_company, sub_total = commission_totals(cr, subset.ids)
    assert oca_count == len(amls) == sub_count, (oca_count, len(amls), sub_count)
    assert abs(oca_total - sub_total) < 0.005, (oca_total, sub_total)
    oca_rate = oca_count / oca_time
    ours_rate = ours_count / ours_time
    speedup = ours_rate / oca_rate
    sampled = oca_count < ours_count
    label = (
        f"OCA on a sample of {oca_count:,} lines ({len(subset):,} invoices, "
        f"{len(agents):,} agents)"
        if sampled
        else f"OCA on all {oca_count:,} lines ({len(agents):,} agents)"
    )
    value = f"{oca_time:.2f} s ({oca_rate:,.0f} lines/s)"
    if sampled:
        value += (
            f"; extrapolated to {ours_count:,} lines: "
            f"{ours_count / oca_rate:,.0f} s (EXTRAPOLATION)"
        )
    results.row(
        "B1 commissions",
        label + ": agent lines + settlement",
        value,
        f"ours: {ours_rate:,.0f} lines/s",
        f"OCA/ours {speedup:.1f}x (time per line)",
        ">= 10x",
        yes_no(speedup >= 10),
    )
    results.row(
        "B1 commissions",
        "correctness: OCA settled total = ours on the same invoices",
        f"{oca_count:,} lines, {oca_total:,.2f}",
        f"{sub_count:,} lines, {sub_total:,.2f}",
        "",
        "equal",
        "yes",
    )


def step_b2(env, results, args):
    cr = env.cr
    Partner = env["res.partner"]
    partners = Partner.search(
        [("prm_state", "in", ("onboarding", "active"))], order="id"
    )
    small = partners[: max(1, len(partners) // 5)]
    figures = {}
    changes = {}
    # the first evaluation fills the registry caches: warm up on a few partners
    for label, group in (
        ("warm-up", partners[:5]),
        ("small", small),
        ("all", partners),
    ):
        cr.commit()
        env.invalidate_all()
        group = Partner.browse(group.ids)
        env.flush_all()
        start = cr.sql_log_count
        elapsed, changed = timed(
            lambda group=group: (group._prm_evaluate_tiers(), env.flush_all())[0]
        )
        figures[label] = (len(group), elapsed, cr.sql_log_count - start)
        changes[label] = len(changed)
        cr.rollback()
        env.invalidate_all()
        log(f"  tiers {label}: {figures[label]} ({changes[label]} changes)")
    n_all, t_all, q_all = figures["all"]
    n_small, _t_small, q_small = figures["small"]
    assert changes["all"] > 0, "the evaluation changed no tier: data is wrong"
    results.row(
        "B2 tier evaluation",
        f"{n_all:,} partners ({changes['all']:,} tier changes): wall time",
        f"{t_all:.2f} s",
        "",
        "",
        "<= 5 s",
        yes_no(t_all <= 5),
    )
    results.row(
        "B2 tier evaluation",
        "SQL queries",
        f"{q_all} for {n_all:,} partners",
        f"{q_small} for {n_small:,} partners",
        f"{q_all / q_small:.2f}x for {n_all / n_small:.0f}x partners",
        "constant",
        yes_no(q_all <= q_small + 2),
    )


def percentiles(timings):
    ordered = sorted(timings)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95


def b3_registrations(env, count):
    """Values of ``count`` new registrations, deterministic (seed 42); most of
    them name an existing customer, opportunity or registration, with a typo
    or two."""
    rng = random.Random(42)
    cr = env.cr
    partner_ids = datagen.mapped_ids(cr, "partner")
    n_customers = int(datagen.meta(cr, "size_customers"))
    n_leads = int(datagen.meta(cr, "size_opportunities"))
    n_regs = int(datagen.meta(cr, "size_registrations"))
    vals_list = []
    for index in range(count):
        kind = index % 4
        if kind == 0:
            name = datagen.company_name(rng.randrange(n_customers))
        elif kind == 1:
            name = datagen.company_name(1000000 + rng.randrange(n_leads))
        elif kind == 2:
            name = datagen.company_name(2000000 + rng.randrange(n_regs))
        else:
            name = f"{rng.choice(datagen.WORDS_A)} {rng.choice(datagen.WORDS_B)}"
        if rng.random() < 0.5:
            position = rng.randrange(len(name))
            name = name[:position] + name[position + 1 :]
        vals_list.append(
            {
                "partner_id": rng.choice(partner_ids),
                "customer_name": name.title(),
                "expected_revenue": 1000,
            }
        )
    return vals_list


def step_b3(env, results, args):
    cr = env.cr
    Registration = env["prm.deal.registration"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_notrack=True
    )
    timings = []
    found = 0
    plans = {}
    vals_list = b3_registrations(env, B3_CHECKS)
    for index, vals in enumerate(vals_list):
        cr.execute("SAVEPOINT perf_b3")
        registration = Registration.create(vals)
        env.flush_all()
        started = time.perf_counter()
        conflicts = registration._prm_detect_conflicts()
        env.flush_all()
        timings.append(1000 * (time.perf_counter() - started))
        found += bool(conflicts)
        if index == len(vals_list) - 1:
            for kind, query in registration._prm_conflict_queries().items():
                cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
                plans[kind] = "\n".join(row[0] for row in cr.fetchall())
        cr.execute("ROLLBACK TO SAVEPOINT perf_b3")
        env.invalidate_all()
    cr.rollback()
    # baseline: the round trip of a primary-key read, as many times, same run
    registration_ids = datagen.mapped_ids(cr, "registration")
    baseline = []
    for index in range(len(timings)):
        started = time.perf_counter()
        cr.execute(
            "SELECT id, name FROM prm_deal_registration WHERE id = %s",
            [registration_ids[index % len(registration_ids)]],
        )
        cr.fetchall()
        baseline.append(1000 * (time.perf_counter() - started))
    p50, p95 = percentiles(timings)
    base50, base95 = percentiles(baseline)
    results.data["extra"]["b3_plans"] = plans
    missing = [
        kind for kind, index in TRIGRAM_INDEXES.items() if index not in plans[kind]
    ]
    results.row(
        "B3 conflict check",
        f"{len(timings)} new registrations vs "
        f"{int(datagen.meta(cr, 'size_customers')):,} companies + "
        f"{int(datagen.meta(cr, 'size_opportunities')):,} opportunities + "
        f"{int(datagen.meta(cr, 'size_registrations')):,} registrations",
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
        f"one-row SELECT: p50 {base50:.2f} ms, p95 {base95:.2f} ms",
        f"p95 {p95 / base95:.0f}x the round trip",
        "p95 <= 50 ms",
        yes_no(p95 <= 50),
    )
    results.row(
        "B3 conflict check",
        "checks that found a conflict (3 of 4 name an existing record)",
        f"{found} of {len(timings)}",
        "",
        "",
        ">= 3/4",
        yes_no(found >= 0.7 * len(timings)),
    )
    results.row(
        "B3 conflict check",
        "trigram GIN index in the plan (registration / lead / customer)",
        ", ".join(
            f"{kind}: {'used' if kind not in missing else 'NOT used'}"
            for kind in TRIGRAM_INDEXES
        ),
        "",
        "",
        "used",
        yes_no(not missing),
    )
    assert found >= 0.7 * len(timings), f"only {found} checks found a conflict"
    assert not missing, f"trigram index not used for {missing}"


def step_commissions(env, results, args):
    """Commission lines for B4 when B1 does not run (untimed)."""
    if not commission_totals(env.cr)[0]:
        bench_moves(env)._prm_commission_on_post()
        env.flush_all()
        env.cr.commit()


STEPS = {
    "info": step_info,
    "commissions": step_commissions,
    "generate": step_generate,
    "b1": step_b1,
    "b2": step_b2,
    "b3": step_b3,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--results", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--profile", action="store_true")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    odoo_args = argv[split + 1 :]
    config.parse_config(odoo_args)
    db = config["db_name"]
    if isinstance(db, list):  # Odoo 18 keeps -d as a list
        db = db[0]
    results = Results(args.results)
    registry = odoo.modules.registry.Registry(db)
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            STEPS[args.step](env, results, args)
    finally:
        results.save()


if __name__ == "__main__":
    main()
