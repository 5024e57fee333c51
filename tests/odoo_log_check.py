#!/usr/bin/env python3
"""Read the log of an Odoo 18.0 test run (stdlib only).

    odoo_log_check.py follow --pid PID [--timeout SECONDS] LOGFILE
        Print a short progress view of LOGFILE while process PID runs; stop
        PID (and the browsers it started) when it does not exit after logging
        its test results, or after SECONDS.
    odoo_log_check.py check [--allowlist FILE] [--summary FILE] [--no-tests] LOGFILE
        Print the results per test suite and every offending line; exit 1 on any
        failure. Offending: a record at level WARNING, ERROR or CRITICAL that the
        allow-list does not excuse, or a missing test result line (Odoo stopped
        before it ran the tests). --summary writes `passed=N` and `failed=N`.
        --no-tests judges the log of a run without tests (install, update,
        uninstall): only the offending records count.

Odoo log records look like
``2025-01-31 12:00:00,123 4242 WARNING prm_test odoo.models: message``; the
lines that follow a record without that prefix (a traceback) belong to it.
"""

import argparse
import glob
import os
import re
import signal
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) "
    r"(?P<level>[A-Z_]+) (?P<db>\S+) (?P<logger>[^\s:]+): (?P<message>.*)$"
)
# odoo/tests/result.py OdooTestResult.__str__, logged by odoo/service/server.py
RESULT_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
TEST_START_RE = re.compile(r"^Starting (?P<test>\S+) \.\.\.")
TEST_PROBLEM_RE = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<test>.*)")
# odoo.tests.stats, at the end of a run: "sale: 250 tests 61.20s 90000 queries"
STATS_RE = re.compile(r"^(?P<module>\w+): (?P<tests>\d+) tests (?P<secs>[\d.]+)s")
MODULE_LOADING_RE = re.compile(r"^Loading module (?P<module>\w+) \((?P<pos>\d+/\d+)\)")
# Error records that restate test failures already counted from the result line.
FAILURE_SUMMARY_RES = (
    re.compile(r"^Module \w+: \d+ failures, \d+ errors of \d+ tests"),
    re.compile(r"^Test suite halted: max failed tests already reached"),
)
BAD_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
TRACEBACK_LINES_SHOWN = 40


@dataclass
class Record:
    level: str
    db: str
    logger: str
    message: str
    line_no: int
    header: str
    continuation: list = field(default_factory=list)

    @property
    def key(self):
        """What the allow-list regexes are matched against."""
        return f"{self.level} {self.logger}: {self.message}"

    @property
    def module(self):
        """Addon a test logger belongs to (odoo.addons.<module>.tests...)."""
        parts = self.logger.split(".")
        if len(parts) > 2 and parts[:2] == ["odoo", "addons"]:
            return parts[2]
        return None

    def text(self, limit=TRACEBACK_LINES_SHOWN):
        lines = [self.header] + self.continuation[:limit]
        if len(self.continuation) > limit:
            lines.append(f"    ... {len(self.continuation) - limit} more lines")
        return "\n".join(lines)


def parse_records(lines):
    """Yield a Record per log record; lines before the first record are skipped."""
    current = None
    for line_no, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        match = RECORD_RE.match(line)
        if match:
            if current is not None:
                yield current
            current = Record(
                level=match["level"],
                db=match["db"],
                logger=match["logger"],
                message=match["message"],
                line_no=line_no,
                header=line,
            )
        elif current is not None:
            current.continuation.append(line)
    if current is not None:
        yield current


def load_allowlist(path):
    """One regex per line; blank lines and lines starting with # are ignored."""
    patterns = []
    if not path or not os.path.exists(path):
        return patterns
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                patterns.append(re.compile(line))
            except re.error as exc:
                raise SystemExit(
                    f"{path}:{line_no}: bad regex {line!r}: {exc}"
                ) from exc
    return patterns


@dataclass
class Suite:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    seconds: float | None = None


@dataclass
class Report:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    result_lines: int = 0
    suites: dict = field(default_factory=lambda: defaultdict(Suite))
    problems: list = field(default_factory=list)  # test FAIL/ERROR records
    offending: list = field(default_factory=list)  # (record or None, reason)

    @property
    def failed(self):
        return self.failures + self.errors + len(self.offending)

    @property
    def passed(self):
        return max(self.tests - self.failures - self.errors, 0)


def analyse(lines, allowlist=(), expect_tests=True):
    report = Report()
    for record in parse_records(lines):
        result = RESULT_RE.search(record.message)
        if result:
            report.result_lines += 1
            report.tests += int(result["tests"])
            report.failures += int(result["failed"])
            report.errors += int(result["errors"])
            continue
        module = record.module
        start = TEST_START_RE.match(record.message)
        if module and start and record.level == "INFO":
            report.suites[module].tests += 1
            continue
        if record.logger == "odoo.tests.stats":
            stats = STATS_RE.match(record.message)
            if stats:
                report.suites[stats["module"]].seconds = float(stats["secs"])
            continue
        if record.level not in BAD_LEVELS:
            continue
        problem = TEST_PROBLEM_RE.match(record.message)
        if module and problem and record.level == "ERROR":
            suite = report.suites[module]
            if problem["kind"] == "FAIL":
                suite.failures += 1
            else:
                suite.errors += 1
            report.problems.append(record)
            continue
        if record.level == "ERROR" and any(
            regex.match(record.message) for regex in FAILURE_SUMMARY_RES
        ):
            continue
        if any(regex.search(record.key) for regex in allowlist):
            continue
        report.offending.append((record, f"{record.level} line"))
    if not expect_tests:
        return report
    if not report.result_lines:
        report.offending.append(
            (
                None,
                "Odoo wrote no test result line ('N failed, N error(s) of N tests "
                "when loading database'): it stopped before running the tests",
            )
        )
    elif not report.tests:
        report.offending.append((None, "no Odoo test ran: check the test tags"))
    return report


def print_report(report, log_path, out=None):
    def say(text=""):
        print(text, file=out or sys.stdout)

    say("Odoo test suites:")
    if report.suites:
        width = max(len(name) for name in report.suites)
        for name in sorted(report.suites):
            suite = report.suites[name]
            bad = suite.failures + suite.errors
            secs = "" if suite.seconds is None else f"  {suite.seconds:8.1f}s"
            say(
                f"  {'FAIL' if bad else 'ok  '} {name:<{width}}  "
                f"{suite.tests:5d} tests  {suite.failures:3d} failed  "
                f"{suite.errors:3d} errors{secs}"
            )
    else:
        say("  (none ran)")
    if report.result_lines:
        say(
            f"Odoo reported: {report.failures} failed, {report.errors} error(s) "
            f"of {report.tests} tests"
        )
    for record in report.problems:
        say()
        say(f"{log_path}:{record.line_no}: test {record.message.split(':')[0]}")
        say(record.text())
    if report.offending:
        say()
        say(f"{len(report.offending)} offending log line(s) in {log_path}:")
        for record, reason in report.offending:
            say()
            if record is None:
                say(f"  {reason}")
            else:
                say(f"{log_path}:{record.line_no}: {reason}")
                say(record.text())


# --- follow -------------------------------------------------------------------


def process_running(pid):
    """True while pid exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def progress_line(record):
    """The short progress view: one line or None for a record."""
    message = record.message
    loading = MODULE_LOADING_RE.match(message)
    if loading and record.logger == "odoo.modules.loading":
        return f"  module  {loading['module']} ({loading['pos']})"
    if record.logger == "odoo.service.server" and message.startswith(
        "Starting post tests"
    ):
        return "  post-install tests ..."
    start = TEST_START_RE.match(message)
    if start and record.module and record.level == "INFO":
        return f"    test  {record.module}: {start['test']}"
    if RESULT_RE.search(message):
        return f"  {message}"
    if record.level in BAD_LEVELS:
        return f"  !! {record.level} {record.logger}: {message}"
    return None


def _children(pid):
    """Direct children of pid, from /proc."""
    children = []
    for stat_path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat_path, encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat_path.split("/")[2]))
    return children


def _descendants(pid):
    found = []
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def _signal(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop_stuck_odoo(pid, out, grace=15.0, poll=0.5):
    """Odoo 18 waits forever for a browser (Chrome DevTools) thread when a
    browser test left Chrome hanging: stop Chrome first, which lets Odoo exit
    with its own status, then Odoo itself if it still does not exit."""
    for sig, targets in (
        (signal.SIGTERM, lambda: _descendants(pid)),
        (signal.SIGKILL, lambda: _descendants(pid)),
        (signal.SIGTERM, lambda: [pid]),
        (signal.SIGKILL, lambda: [pid, *_descendants(pid)]),
    ):
        if not process_running(pid):
            return
        pids = targets()
        if pids:
            what = "odoo" if pids == [pid] else f"{len(pids)} process(es) it started"
            print(
                f"  !! odoo (pid {pid}) does not exit: sending {sig.name} to {what}",
                file=out,
                flush=True,
            )
            _signal(pids, sig)
        deadline = time.monotonic() + grace
        while process_running(pid) and time.monotonic() < deadline:
            time.sleep(poll)


def follow(log_path, pid, out=None, poll=0.5, exit_grace=60.0, timeout=None):
    """Print the progress view of log_path until process pid ends.

    Once the test result line is logged, Odoo has `exit_grace` seconds to exit
    before stop_stuck_odoo(); after `timeout` seconds it is stopped anyway.
    """
    out = out or sys.stdout
    position = 0
    pending = ""
    started = time.monotonic()
    result_seen_at = None
    while True:
        running = process_running(pid)
        if os.path.exists(log_path):
            with open(log_path, encoding="utf-8", errors="replace") as handle:
                handle.seek(position)
                chunk = handle.read()
                position = handle.tell()
            text = pending + chunk
            lines = text.split("\n")
            pending = lines.pop()  # incomplete last line, if any
            for line in lines:
                match = RECORD_RE.match(line)
                if not match:
                    continue
                record = Record(
                    level=match["level"],
                    db=match["db"],
                    logger=match["logger"],
                    message=match["message"],
                    line_no=0,
                    header=line,
                )
                if result_seen_at is None and RESULT_RE.search(record.message):
                    result_seen_at = time.monotonic()
                shown = progress_line(record)
                if shown:
                    print(shown, file=out, flush=True)
        if not running:
            return 0
        now = time.monotonic()
        if timeout and now - started > timeout:
            print(f"  !! odoo ran longer than {timeout:.0f}s", file=out, flush=True)
            stop_stuck_odoo(pid, out)
        elif result_seen_at is not None and now - result_seen_at > exit_grace:
            stop_stuck_odoo(pid, out)
        time.sleep(poll)


# --- command line -------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    follow_cmd = commands.add_parser("follow", help="stream a short progress view")
    follow_cmd.add_argument("--pid", type=int, required=True)
    follow_cmd.add_argument(
        "--timeout", type=float, help="stop odoo after this many seconds"
    )
    follow_cmd.add_argument("logfile")
    check_cmd = commands.add_parser("check", help="judge a finished run")
    check_cmd.add_argument("--allowlist")
    check_cmd.add_argument("--summary", help="write passed=N and failed=N here")
    check_cmd.add_argument(
        "--no-tests", action="store_true", help="the run had no tests to report"
    )
    check_cmd.add_argument("logfile")
    args = parser.parse_args(argv)

    if args.command == "follow":
        return follow(args.logfile, args.pid, timeout=args.timeout)

    allowlist = load_allowlist(args.allowlist)
    try:
        with open(args.logfile, encoding="utf-8", errors="replace") as handle:
            report = analyse(handle, allowlist, expect_tests=not args.no_tests)
    except FileNotFoundError:
        report = analyse([], allowlist)
    print_report(report, args.logfile)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as handle:
            handle.write(f"passed={report.passed}\nfailed={report.failed}\n")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
