# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Print the benchmark results as a markdown table (tests/perf/run).

    python3 report.py --results FILE.json --out FILE.md --scale S --seed N \
        [--failure TEXT ...]
"""

import argparse
import datetime
import json
import os
import pathlib
import platform


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory():
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(data, scale, seed, failures):
    extra = data.get("extra", {})
    now = datetime.datetime.now(datetime.timezone.utc)
    lines = [
        f"# PRM benchmarks, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores, {memory()} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- PostgreSQL {extra.get('postgresql', '?')}, Odoo "
        f"{extra.get('odoo', '?')}, Python {platform.python_version()}",
        f"- Scale {scale} (seed {seed}); data: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(extra.get("sizes", {}).items())),
        "- Timings are noisy (other processes share the machine): every target "
        "is a ratio against a baseline measured in the same run, on the same "
        "server and database.",
        "",
        "| benchmark | measure | value | baseline | ratio | target | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in data.get("rows", []):
        lines.append(
            "| "
            + " | ".join(
                cell(row[key])
                for key in (
                    "bench",
                    "measure",
                    "value",
                    "baseline",
                    "ratio",
                    "target",
                    "met",
                )
            )
            + " |"
        )
    notes = list(data.get("notes", [])) + [f"FAILED: {text}" for text in failures]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    plans = extra.get("b3_plans")
    if plans:
        lines += ["", "B3 query plans (EXPLAIN ANALYZE, BUFFERS) of the last check:"]
        for kind, plan in plans.items():
            lines += ["", f"{kind}:", "", "```", plan, "```"]
    profile = extra.get("b1_profile")
    if profile:
        lines += ["", "B1 profile of our computation (cProfile):", "", "```"]
        lines += [profile.strip(), "```"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--scale", required=True)
    parser.add_argument("--seed", default="42")
    parser.add_argument("--failure", action="append", default=[])
    args = parser.parse_args()
    path = pathlib.Path(args.results)
    data = json.loads(path.read_text()) if path.exists() else {}
    text = render(data, args.scale, args.seed, args.failure)
    pathlib.Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
