-- License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
-- wrk script: print the figures tests/perf/portal_load.py reads, at the end.
done = function(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        "PERF requests=%d duration_us=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d "
            .. "status_errors=%d socket_errors=%d\n",
        summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(90),
        latency:percentile(95), latency:percentile(99),
        errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
