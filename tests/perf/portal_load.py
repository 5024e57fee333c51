# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""B4: load the portal pages of a running Odoo with wrk (tests/perf/run).

    python3 portal_load.py --url http://127.0.0.1:8280 --log ODOO_LOG \
        --results FILE [--duration 10s] [--wrk wrk]

Logs the benchmark's portal users in with a plain POST to /web/login, checks
each page once (status 200, the partner's name in the body), reads the
per-request query count from Odoo's access log for the big and the small
partner, then runs wrk on every page and on Odoo's own /my home page.
"""

import argparse
import http.client
import json
import os
import pathlib
import re
import subprocess
import sys
import time
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
PAGES = ["/my/partner", "/my/deals", "/my/commissions"]
BASELINE = "/my"
USERS = {
    # login, password, program partner's name (see datagen.portal_users)
    "big": ("bench-big", "bench-big-password", "Partner 00001"),
    "small": ("bench-small", "bench-small-password", "Partner 00007"),
}
# werkzeug access line: "GET /my/deals HTTP/1.1" 200 - <queries> <sql s> <other s>
ACCESS_RE = re.compile(
    r'"GET (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ '
    r"(?P<queries>\d+) (?P<sql>[\d.]+) (?P<other>[\d.]+)"
)
PERF_RE = re.compile(r"PERF (.*)$", re.MULTILINE)


def log(message):
    print(message, file=sys.stderr, flush=True)


class Client:
    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies = {}

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location"), data

    def login(self, login, password):
        status, _location, page = self.request("GET", "/web/login")
        assert status == 200, f"/web/login answered {status}"
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF token on /web/login"
        status, location, _page = self.request(
            "POST",
            "/web/login",
            {
                "login": login,
                "password": password,
                "csrf_token": token.group(1),
                "redirect": "/my",
            },
        )
        assert status in (302, 303) and location and "/web/login" not in location, (
            f"login of {login} failed: {status} {location}"
        )
        return self.cookies["session_id"]


def access_lines(log_path, offset):
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        return handle.read()


def query_count(client, log_path, path, expect):
    """GET ``path`` once; returns the query count of its access log line."""
    offset = pathlib.Path(log_path).stat().st_size
    status, location, body = client.request("GET", path)
    assert status == 200, f"{path} answered {status} {location}"
    assert expect in body, f"{path} does not show {expect!r}"
    for _attempt in range(50):
        for match in ACCESS_RE.finditer(access_lines(log_path, offset)):
            if match.group("path") == path:
                return int(match.group("queries"))
        time.sleep(0.1)
    raise AssertionError(f"no access log line for {path} (log level info?)")


def server_time_split(log_path):
    """``{path: (requests, mean SQL seconds, mean other seconds)}`` of the
    successful GET requests in the server log."""
    sums = {}
    for match in ACCESS_RE.finditer(access_lines(log_path, 0)):
        if match.group("status") != "200":
            continue
        count, sql, other = sums.get(match.group("path"), (0, 0.0, 0.0))
        sums[match.group("path")] = (
            count + 1,
            sql + float(match.group("sql")),
            other + float(match.group("other")),
        )
    return {
        path: (count, sql / count, other / count)
        for path, (count, sql, other) in sums.items()
    }


def server_cpu_seconds(pid):
    """User + system CPU time the server process has used so far."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(client, pid, path, count=40):
    """Server CPU per request, one request at a time: unlike throughput
    under load, it does not depend on what else the machine is doing."""
    for _ in range(3):
        client.request("GET", path)
    before = server_cpu_seconds(pid)
    for _ in range(count):
        status, _location, _page = client.request("GET", path)
        assert status == 200, f"{path} answered {status}"
    return (server_cpu_seconds(pid) - before) / count


def run_wrk(wrk, url, cookie, duration):
    command = [
        wrk,
        "-t2",
        "-c4",
        f"-d{duration}",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        str(HERE / "p95.lua"),
        "-H",
        f"Cookie: session_id={cookie}",
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = PERF_RE.search(output)
    assert match, f"wrk printed no PERF line:\n{output}"
    figures = dict(item.split("=") for item in match.group(1).split())
    figures = {key: int(value) for key, value in figures.items()}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    figures["rps"] = float(rps.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--server-pid", type=int)
    args = parser.parse_args()
    results_path = pathlib.Path(args.results)
    data = json.loads(results_path.read_text())
    sizes = data["extra"].get("sizes", {})

    clients = {}
    counts = {}
    for key, (login, password, partner_name) in USERS.items():
        client = Client(args.url)
        client.login(login, password)
        clients[key] = client
        for path in [BASELINE, *PAGES]:
            expect = {
                BASELINE: f"Bench {key} admin",
                "/my/partner": partner_name,
                "/my/deals": "DR/BENCH/",
                "/my/commissions": "INV/BENCH/",
            }[path]
            query_count(client, args.log, path, expect)  # warm-up
            counts[(key, path)] = query_count(client, args.log, path, expect)
        log(f"  queries ({key}): {[counts[(key, p)] for p in [BASELINE, *PAGES]]}")

    cpu = {}
    if args.server_pid:
        for path in [BASELINE, *PAGES]:
            cpu[path] = cpu_per_request(clients["big"], args.server_pid, path)
        log(f"  CPU per request: {cpu}")

    cookie = clients["big"].cookies["session_id"]
    figures = {}
    for path in [BASELINE, *PAGES]:
        figures[path] = run_wrk(args.wrk, args.url + path, cookie, args.duration)
        log(f"  wrk {path}: {figures[path]}")
        assert not figures[path]["non2xx"], f"{path}: non-2xx responses under load"
        assert not figures[path]["status_errors"], f"{path}: HTTP errors under load"
    base = figures[BASELINE]
    rows = data["rows"]

    def row(measure, value, baseline, ratio, target, met):
        rows.append(
            {
                "bench": "B4 portal",
                "measure": measure,
                "value": value,
                "baseline": baseline,
                "ratio": ratio,
                "target": target,
                "met": met,
            }
        )

    big_regs = sizes.get("big_registrations", "?")
    big_lines = sizes.get("big_commission_lines", "?")
    for path in PAGES:
        page = figures[path]
        ratio = page["rps"] / base["rps"]
        row(
            f"{path} (partner with {big_regs:,} registrations, "
            f"{big_lines:,} commission lines)",
            f"{page['rps']:.1f} req/s, p95 {page['p95_us'] / 1000:.0f} ms",
            f"/my: {base['rps']:.1f} req/s, p95 {base['p95_us'] / 1000:.0f} ms",
            f"{ratio:.2f}x",
            ">= 0.7x",
            "yes" if ratio >= 0.7 else "**NO**",
        )
    for path in [BASELINE, *PAGES]:
        big, small = counts[("big", path)], counts[("small", path)]
        row(
            f"{path}: SQL queries per request",
            f"{big} (big partner)",
            f"{small} (small partner)",
            f"{big - small:+d}",
            "constant",
            "yes" if big <= small else "**NO**",
        )
    # where the server time goes: Odoo's access log splits every request's
    # time into SQL and the rest (Python, QWeb rendering)
    split = server_time_split(args.log)
    for path in [BASELINE, *PAGES]:
        count, sql, other = split.get(path, (0, 0.0, 0.0))
        if count:
            row(
                f"{path}: server time per request under load (access log)",
                f"SQL {1000 * sql:.0f} ms + other {1000 * other:.0f} ms",
                f"{count} requests",
                "",
                "",
                "",
            )
    for path in PAGES if cpu else ():
        row(
            f"{path}: server CPU per request, one at a time (40 requests)",
            f"{1000 * cpu[path]:.1f} ms",
            f"/my: {1000 * cpu[BASELINE]:.1f} ms",
            f"{cpu[BASELINE] / cpu[path]:.2f}x",
            "",
            "",
        )
    data["extra"]["b4"] = {
        "wrk": figures,
        "queries": {f"{k}:{p}": v for (k, p), v in counts.items()},
    }
    results_path.write_text(json.dumps(data, indent=1, default=str))


if __name__ == "__main__":
    main()
