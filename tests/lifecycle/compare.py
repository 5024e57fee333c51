#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Compare two snapshots written by snapshot.py (stdlib only).

    compare.py same BEFORE AFTER        every PRM model and all core data equal
    compare.py kept BEFORE AFTER        every core record of BEFORE still exists,
                                        each posted move with the same total

Prints one line per difference and a summary; exits 1 on any difference.
"""

import json
import sys


def load(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("PRM_SNAPSHOT "):
                return json.loads(line[len("PRM_SNAPSHOT ") :])
    raise SystemExit(f"{path}: no PRM_SNAPSHOT line")


def core_missing(before, after):
    problems = []
    for model, ids in before["core"].items():
        missing = sorted(set(ids) - set(after["core"].get(model, [])))
        if missing:
            problems.append(f"{model}: {len(missing)} records lost, e.g. {missing[:5]}")
    return problems


def posted_changed(before, after):
    """Posted moves of BEFORE that are no longer posted with the same total."""
    return [
        f"posted move {move_id}: {total} -> {after['posted'].get(move_id)}"
        for move_id, total in before["posted"].items()
        if after["posted"].get(move_id) != total
    ]


def main(argv):
    mode, before_path, after_path = argv
    before, after = load(before_path), load(after_path)
    problems = []
    if mode == "same":
        for model, figures in before["prm"].items():
            if after["prm"].get(model) != figures:
                problems.append(f"{model}: {figures} -> {after['prm'].get(model)}")
        problems += core_missing(before, after)
        problems += posted_changed(before, after)
        if set(after["posted"]) != set(before["posted"]):
            problems.append("the set of posted moves changed")
    elif mode == "kept":
        problems += core_missing(before, after)
        problems += posted_changed(before, after)
    else:
        raise SystemExit(f"unknown mode {mode}")
    for problem in problems:
        print(f"  {problem}")
    models = len(before["prm"])
    records = sum(f["count"] for f in before["prm"].values())
    core = sum(len(ids) for ids in before["core"].values())
    print(
        f"{mode}: {models} PRM models ({records} records), {core} core records: "
        f"{len(problems)} difference(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
