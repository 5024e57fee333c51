"""Unit tests of tests/odoo_log_check.py, fed with sample Odoo 18.0 logs."""

import pathlib
import re
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import odoo_log_check  # noqa: E402

PREFIX = "2025-03-04 10:11:12,345 4242"


def log(*records):
    return [f"{line}\n" for record in records for line in record.split("\n")]


INSTALL = (
    f"{PREFIX} INFO prm_test odoo.modules.loading: Loading module prm_base (61/61)",
    f"{PREFIX} INFO prm_test odoo.addons.prm_base.tests.test_tier: "
    "Starting TestTier.test_upgrade ...",
    f"{PREFIX} INFO prm_test odoo.addons.prm_base.tests.test_tier: "
    "Starting TestTier.test_downgrade ...",
    f"{PREFIX} INFO prm_test odoo.service.server: Starting post tests",
    f"{PREFIX} INFO prm_test odoo.tests.stats: prm_base: 2 tests 0.42s 812 queries",
)
PASS_LINE = (
    f"{PREFIX} INFO prm_test odoo.tests.result: "
    "0 failed, 0 error(s) of 2 tests when loading database 'prm_test'"
)
FAILED_LINE = (
    f"{PREFIX} ERROR prm_test odoo.tests.result: "
    "1 failed, 0 error(s) of 2 tests when loading database 'prm_test'"
)
FAIL_RECORD = (
    f"{PREFIX} ERROR prm_test odoo.addons.prm_base.tests.test_tier: "
    "FAIL: TestTier.test_downgrade\n"
    "Traceback (most recent call last):\n"
    '  File "prm_base/tests/test_tier.py", line 12, in test_downgrade\n'
    "AssertionError: 'gold' != 'silver'"
)
WARNING_RECORD = (
    f"{PREFIX} WARNING prm_test odoo.models: prm.agreement.state: "
    "inconsistent 'compute_sudo' for computed fields"
)
TRACEBACK_RECORD = (
    f"{PREFIX} ERROR prm_test odoo.http: Exception during request handling.\n"
    "Traceback (most recent call last):\n"
    "ValueError: boom"
)


def analyse(lines, allow=()):
    return odoo_log_check.analyse(lines, [re.compile(p) for p in allow])


def test_pass_line():
    report = analyse(log(*INSTALL, PASS_LINE))
    assert (report.tests, report.failures, report.errors) == (2, 0, 0)
    assert report.offending == []
    assert (report.passed, report.failed) == (2, 0)
    suite = report.suites["prm_base"]
    assert (suite.tests, suite.failures, suite.seconds) == (2, 0, 0.42)


def test_failure_line_counts_once():
    report = analyse(log(*INSTALL, FAIL_RECORD, FAILED_LINE))
    assert (report.passed, report.failed) == (1, 1)
    assert report.offending == []  # the FAIL record is the failure, not extra
    assert report.suites["prm_base"].failures == 1
    (problem,) = report.problems
    assert problem.continuation[-1] == "AssertionError: 'gold' != 'silver'"


def test_warning_line_fails():
    report = analyse(log(*INSTALL, WARNING_RECORD, PASS_LINE))
    assert (report.passed, report.failed) == (2, 1)
    ((record, reason),) = report.offending
    assert record.level == "WARNING" and record.logger == "odoo.models"
    assert reason == "WARNING line"


def test_traceback_belongs_to_its_record():
    report = analyse(log(*INSTALL, TRACEBACK_RECORD, PASS_LINE))
    ((record, _reason),) = report.offending
    assert record.logger == "odoo.http"
    assert record.continuation == [
        "Traceback (most recent call last):",
        "ValueError: boom",
    ]
    assert "ValueError: boom" in record.text()


def test_allowlisted_line_passes():
    allow = [r"^WARNING odoo\.models: prm\.agreement\.state: inconsistent"]
    report = analyse(log(*INSTALL, WARNING_RECORD, PASS_LINE), allow)
    assert report.offending == []
    assert report.failed == 0


def test_allowlist_does_not_excuse_other_lines():
    allow = [r"^WARNING odoo\.fields: "]
    report = analyse(log(*INSTALL, WARNING_RECORD, PASS_LINE), allow)
    assert report.failed == 1


def test_missing_result_line_fails():
    crash = (
        f"{PREFIX} CRITICAL prm_test odoo.service.server: "
        "Failed to initialize database `prm_test`.\n"
        "Traceback (most recent call last):\n"
        "psycopg2.errors.UndefinedTable: relation does not exist"
    )
    report = analyse(log(*INSTALL, crash))
    reasons = [reason for _record, reason in report.offending]
    assert reasons[0] == "CRITICAL line"
    assert "no test result line" in reasons[1]
    assert report.failed == 2
    assert analyse([]).failed == 1


def test_zero_tests_fails():
    zero = (
        f"{PREFIX} WARNING prm_test odoo.tests.result: "
        "0 failed, 0 error(s) of 0 tests when loading database 'prm_test'"
    )
    report = analyse(log(zero))
    assert [reason for _record, reason in report.offending] == [
        "no Odoo test ran: check the test tags"
    ]


def test_run_without_tests():
    clean = log(INSTALL[0])
    assert odoo_log_check.analyse(clean, expect_tests=False).failed == 0
    assert odoo_log_check.analyse(clean).failed == 1
    dirty = log(INSTALL[0], WARNING_RECORD)
    assert odoo_log_check.analyse(dirty, expect_tests=False).failed == 1


def test_load_allowlist(tmp_path):
    path = tmp_path / "allow.txt"
    path.write_text("# odoo.foo: harmless because ...\n\n^WARNING odoo\\.foo: x\n")
    (regex,) = odoo_log_check.load_allowlist(str(path))
    assert regex.search("WARNING odoo.foo: x y")
    path.write_text("(unclosed\n")
    with pytest.raises(SystemExit):
        odoo_log_check.load_allowlist(str(path))


def test_repository_allowlist_is_valid():
    path = pathlib.Path(__file__).parent / "log_allowlist.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    odoo_log_check.load_allowlist(str(path))
    # every regex has a comment just above it that says who emits it and why
    for index, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert index and lines[index - 1].startswith("#"), line
            assert "prm_" not in line, "never allow-list lines of the PRM addons"


def test_check_command(tmp_path, capsys):
    logfile = tmp_path / "odoo.log"
    logfile.write_text("".join(log(*INSTALL, WARNING_RECORD, PASS_LINE)))
    summary = tmp_path / "summary"
    assert odoo_log_check.main(["check", "--summary", str(summary), str(logfile)]) == 1
    assert summary.read_text() == "passed=2\nfailed=1\n"
    output = capsys.readouterr().out
    assert "inconsistent 'compute_sudo'" in output
    assert re.search(r"ok\s+prm_base\s+2 tests", output)


def test_follow_prints_progress(tmp_path, capsys):
    logfile = tmp_path / "odoo.log"
    logfile.write_text("".join(log(*INSTALL, FAIL_RECORD, FAILED_LINE)))
    # pid of a finished process: follow reads the file once and returns
    odoo_log_check.follow(str(logfile), pid=2**22 + 1, poll=0)
    output = capsys.readouterr().out.splitlines()
    assert output == [
        "  module  prm_base (61/61)",
        "    test  prm_base: TestTier.test_upgrade",
        "    test  prm_base: TestTier.test_downgrade",
        "  post-install tests ...",
        "  !! ERROR odoo.addons.prm_base.tests.test_tier: "
        "FAIL: TestTier.test_downgrade",
        "  1 failed, 0 error(s) of 2 tests when loading database 'prm_test'",
    ]


def _odoo_waiting_for_a_child():
    """A stand-in for Odoo stuck on a hung browser: it waits for its child."""
    code = "import subprocess; subprocess.run(['sleep', '300'])"
    return subprocess.Popen([sys.executable, "-c", code])


def test_follow_stops_odoo_stuck_after_its_result(tmp_path, capsys):
    logfile = tmp_path / "odoo.log"
    logfile.write_text("".join(log(*INSTALL, PASS_LINE)))
    fake_odoo = _odoo_waiting_for_a_child()
    try:
        odoo_log_check.follow(str(logfile), fake_odoo.pid, poll=0.1, exit_grace=0.5)
        # stopping the child (the browser) was enough: it exits on its own
        assert fake_odoo.wait(timeout=10) == 0
    finally:
        fake_odoo.kill()
    assert "does not exit: sending SIGTERM" in capsys.readouterr().out


def test_follow_timeout(tmp_path, capsys):
    logfile = tmp_path / "odoo.log"
    logfile.write_text("".join(log(*INSTALL)))
    fake_odoo = _odoo_waiting_for_a_child()
    try:
        odoo_log_check.follow(str(logfile), fake_odoo.pid, poll=0.1, timeout=0.5)
        assert fake_odoo.wait(timeout=10) == 0
    finally:
        fake_odoo.kill()
    assert "odoo ran longer than 0s" in capsys.readouterr().out
