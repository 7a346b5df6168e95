#!/usr/bin/env python3
"""The dashboard API checks of tests/cli/dashboard_api.sh: python3 api_checks.py URL TOKEN."""
import http.client
import json
import socket
import statistics
import sys
import time
import urllib.parse

URL, TOKEN = sys.argv[1], sys.argv[2]
HOST, PORT = urllib.parse.urlparse(URL).hostname, urllib.parse.urlparse(URL).port


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def request(path, headers=None, method="GET", body=None):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, dict(res.getheaders()), data


BEARER = {"Authorization": "Bearer " + TOKEN}
PROTECTED = ["/", "/index.html", "/app.js", "/style.css", "/metrics", "/api/overview", "/api/nodes",
             "/api/experiments", "/api/experiments/small_exp/trials",
             "/api/experiments/small_exp/trials/small_exp_00000",
             "/api/experiments/small_exp/trials/small_exp_00000/log", "/api/ddp",
             "/api/benchmarks", "/api/benchmarks/bench_demo",
             "/api/benchmarks/bench_demo/figures/accuracy.svg"]

# Only /healthz is open.
status, _, body = request("/healthz")
if status != 200 or body != b"ok\n":
    fail("/healthz: %d %r" % (status, body))
for path in PROTECTED:
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer " + TOKEN + "x"},
                    {"Authorization": "Bearer " + TOKEN[:-1]}, {"Authorization": "Basic " + TOKEN},
                    {"Cookie": "scaleml_session=" + "0" * 64}, {"Cookie": "scaleml_session=" + TOKEN}]:
        status, _, body = request(path, headers)
        if status != 401:
            fail("%s with %s: %d, not 401" % (path, headers, status))
        for secret in [b"small_exp", b"bench_demo", b"node_id", b"accuracy", b"scaleml_nodes"]:
            if secret in body:
                fail("%s answered 401 with data (%s)" % (path, secret))
    status, _, _ = request(path, BEARER)
    if status != 200:
        fail("%s with the token: %d" % (path, status))

# The browser's way in: /?token= sets the cookie and redirects to an address without the token.
status, headers, _ = request("/?token=wrong")
if status != 401 or "Set-Cookie" in headers:
    fail("/?token=wrong: %d %s" % (status, headers))
status, headers, _ = request("/?token=" + urllib.parse.quote(TOKEN))
cookie = headers.get("Set-Cookie", "")
if status != 303 or headers.get("Location") != "/" or TOKEN in headers.get("Location", ""):
    fail("/?token=: %d %s" % (status, headers))
for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"]:
    if attribute not in cookie:
        fail("the session cookie lacks " + attribute + ": " + cookie)
session = cookie.split(";")[0]
status, _, body = request("/api/experiments", {"Cookie": session})
if status != 200 or b"small_exp" not in body:
    fail("the session cookie does not open the API: %d" % status)
status, headers, _ = request("/login", method="POST", body="token=" + urllib.parse.quote(TOKEN),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
if status != 303 or "scaleml_session=" not in headers.get("Set-Cookie", ""):
    fail("the login form: %d %s" % (status, headers))
status, _, _ = request("/login", method="POST", body="token=nope",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
if status != 401:
    fail("the login form with a wrong token: %d" % status)
status, headers, _ = request("/api/nodes", BEARER)
csp = headers.get("Content-Security-Policy", "")
if "script-src 'self'" not in csp or headers.get("X-Content-Type-Options") != "nosniff":
    fail("security headers missing: %s" % headers)


def get_json(path):
    status, headers, body = request(path, BEARER)
    if status != 200 or not headers.get("Content-Type", "").startswith("application/json"):
        fail("%s: %d %s" % (path, status, headers.get("Content-Type")))
    return json.loads(body)


def keys(obj, want, where):
    missing = [k for k in want if k not in obj]
    if missing:
        fail("%s lacks %s: %s" % (where, missing, json.dumps(obj)[:300]))


nodes = get_json("/api/nodes")
keys(nodes, ["address", "nodes"], "/api/nodes")
experiments = get_json("/api/experiments")["experiments"]
names = sorted(e["name"] for e in experiments)
if names != ["big_exp", "small_exp"]:
    fail("experiments: %s" % names)
for e in experiments:
    keys(e, ["name", "algo", "metric", "mode", "trials", "counts", "best"], "an experiment")
page = get_json("/api/experiments/small_exp/trials?curve_points=10")
keys(page, ["total", "offset", "limit", "rows", "best", "counts"], "a trial page")
for row in page["rows"]:
    keys(row, ["trial_id", "status", "config", "node", "iteration", "metric", "time_s", "best", "curve"],
         "a trial row")
statuses = sorted(r["status"] for r in page["rows"])
if statuses != ["ERROR", "PENDING", "RUNNING", "TERMINATED", "TERMINATED"]:
    fail("trial statuses: %s" % statuses)
trial = get_json("/api/experiments/small_exp/trials/small_exp_00000")
keys(trial, ["trial_id", "status", "config", "curve", "result"], "a trial")
if len(trial["curve"]) != 20 or trial["curve"][0][0] != 0:
    fail("the trial's curve: %s" % trial["curve"][:3])
log = get_json("/api/experiments/small_exp/trials/small_exp_00000/log")
keys(log, ["lines", "sources", "task_id"], "a trial log")
if "fixture log line 2" not in log["lines"]:
    fail("the trial log: %s" % log)
groups = get_json("/api/ddp")["groups"]
if len(groups) != 1 or groups[0]["state"] != "failed" or groups[0]["failed_rank"] != 1:
    fail("ddp groups: %s" % groups)
keys(groups[0], ["launcher_pid", "started", "ranks", "message", "command"], "a ddp group")
if [r["state"] for r in groups[0]["ranks"]] != ["succeeded", "failed"]:
    fail("ddp ranks: %s" % groups[0]["ranks"])
benchmarks = get_json("/api/benchmarks")["benchmarks"]
if [b["name"] for b in benchmarks] != ["bench_demo"] or benchmarks[0]["runs"] != 13:
    fail("benchmarks: %s" % benchmarks)
bench = get_json("/api/benchmarks/bench_demo")
keys(bench, ["records", "report_md", "figures"], "a benchmark")
status, headers, body = request("/api/benchmarks/bench_demo/figures/accuracy.svg", BEARER)
if status != 200 or headers.get("Content-Type") != "image/svg+xml" or b"<svg" not in body:
    fail("the figure: %d %s" % (status, headers))
if "sandbox" not in headers.get("Content-Security-Policy", ""):
    fail("a figure is served without the sandbox policy")
status, headers, body = request("/metrics", BEARER)
text = body.decode()
for line in ["# TYPE scaleml_nodes gauge", "scaleml_tasks{state=\"running\"}",
             "scaleml_trials{state=\"TERMINATED\"} 902", "scaleml_task_run_seconds_count"]:
    if line not in text:
        fail("/metrics lacks %s:\n%s" % (line, text))

# Names that try to leave the served folders: 404, never a file.
for path in ["/api/experiments/../trials", "/api/experiments/%2e%2e/trials",
             "/api/experiments/..%2fexperiments/trials", "/api/experiments/small_exp/trials/..%2f..%2fetc",
             "/api/experiments/small_exp/trials/%2e%2e/log", "/api/benchmarks/..%2f..",
             "/api/benchmarks/bench_demo/figures/..%2freport.md",
             "/api/benchmarks/bench_demo/figures/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
             "/api/benchmarks/bench_demo/figures/report.md", "/../../../etc/passwd",
             "/%2e%2e/%2e%2e/etc/passwd", "/api/experiments/small_exp/trials/small_exp_00000/../../../../etc/passwd"]:
    status, _, body = request(path, BEARER)
    if status not in (400, 404) or b"root:" in body or b"| algo |" in body:
        fail("%s: %d %r" % (path, status, body[:80]))

# Oversized requests are refused; a stalled one is cut off; the server keeps answering.
status, _, _ = request("/api/nodes", dict(BEARER, **{"X-Big": "a" * 200000}))
if status == 200:
    fail("a 200 kB header was accepted")
status, _, _ = request("/login", method="POST", body="token=" + "a" * 2000000,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
if status not in (413, 400, 401):
    fail("a 2 MB login body: %d" % status)
slow = socket.create_connection((HOST, PORT))
slow_opened = time.monotonic()
slow.sendall(b"GET /api/nodes HTTP/1.1\r\nHost: x\r\n")  # and never the rest
idle = [socket.create_connection((HOST, PORT)) for _ in range(40)]
start = time.monotonic()
status, _, _ = request("/api/nodes", BEARER)
waited = time.monotonic() - start
if status != 200:
    fail("with 41 stalled connections open: %d" % status)
slow.settimeout(15)
try:
    answer = slow.recv(4096)
except socket.timeout:
    fail("a stalled request was never cut off")
if b"200 OK" in answer:
    fail("a request without its end was answered")
print("a request with 41 stalled connections open: %.2f s; the stalled one cut off after %.1f s"
      % (waited, time.monotonic() - slow_opened))
for s in idle + [slow]:
    s.close()

# A page of 1,000 trials, sorted by metric, with curves.
path = "/api/experiments/big_exp/trials?limit=100&sort=metric&order=desc&curve_points=60"
get_json(path)
times = []
for _ in range(20):
    start = time.monotonic()
    page = get_json(path)
    times.append((time.monotonic() - start) * 1000)
if page["total"] != 1000 or len(page["rows"]) != 100 or not page["rows"][0]["best"]:
    fail("the page of 1,000 trials: total %s, %d rows" % (page["total"], len(page["rows"])))
print("API, 1,000 trials, a page of 100 with curves over HTTP: median %.1f ms, max %.1f ms"
      % (statistics.median(times), max(times)))
print("api checks: ok")
