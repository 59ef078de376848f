#!/usr/bin/env python3
"""Measures Corridor at scale, side by side with the tools underneath, and prints one table.

Called by scripts/bench after the release build. Steps: generate N individuals; time
sqlite3's own .import of the same CSV into a bare table; import into SQLite with
`corridor import cases --commit` (time and peak memory); serve and measure latencies over
HTTP (p50/p95/p99 over >= 200 requests per query, after warm-up); load-test with wrk; then
the same import and queries on a throw-away PostgreSQL cluster. The import is also set beside
the floor: sqlite3's own .import of the rows Corridor wrote (its four tables, indexes built
after). `--postgres-only` measures PostgreSQL alone (the 10 M run).
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "corridor")
PASSWORD = "bench password of enough length"


def log(message):
    print(f"== {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine():
    cores = os.cpu_count()
    with open("/proc/meminfo") as f:
        total = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1)) // 1024
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return cores, total, model


def timed(command, env=None, capture=True):
    """Runs a command under /usr/bin/time -v: (seconds, peak RSS in MB, stdout)."""
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1)) / 1024
    return seconds, peak, result.stdout


def corridor_env(data_dir, database_url=None, port=None):
    env = dict(os.environ)
    env["CORRIDOR_DATA_DIR"] = data_dir
    env["CORRIDOR_LOG_LEVEL"] = "error"
    # wrk sends every request from one address: the public API's per-address limit is lifted
    # for the load test (it is a protection, measured separately by the test suite).
    env["CORRIDOR_PUBLIC_API_RATE_LIMIT"] = "0"
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if port:
        env["CORRIDOR_PORT"] = str(port)
        env["CORRIDOR_HOST"] = "127.0.0.1"
        env["CORRIDOR_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    return env


class Client:
    """One keep-alive connection with cookies, as a signed-in browser."""

    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}
        self.headers = {}

    def request(self, method, path, body=None, headers=None):
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=all_headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def form(self, path, fields):
        fields = dict(fields)
        fields["_csrf"] = self.cookies.get("corridor_csrf", "")
        body = urllib.parse.urlencode(fields)
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})


def sign_in(port, email, one_time):
    client = Client(port)
    client.request("GET", "/login")
    status, _ = client.form("/login", {"email": email, "password": one_time})
    assert status in (302, 303), f"sign-in of {email} answered {status}"
    status, _ = client.form("/account/password", {"current": one_time, "password": PASSWORD, "confirmation": PASSWORD})
    assert status in (200, 302, 303), f"password change answered {status}"
    status, _ = client.request("GET", "/")
    assert status == 200, f"home answered {status} after sign-in"
    return client


def create_user(env, role, email):
    # A case worker reaches the cases of their offices only: every office here, or the caseload
    # measured would be empty (it was, unnoticed, from the need-to-know change until 2026-12-06).
    offices = ["--offices", "*"] if role in ("caseworker", "protection") else []
    result = subprocess.run([BIN, "user", "create", "--email", email, "--name", f"Bench {role}", "--role", role, "--language", "en", *offices],
                            env=env, capture_output=True, text=True, check=True)
    return re.search(r"one-time password: (\S+)", result.stdout).group(1)


def percentiles(samples):
    ordered = sorted(samples)

    def at(p):
        index = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[index] * 1000

    return at(50), at(95), at(99)


def measure(client, paths, requests=200, warmup=20):
    """Latency over HTTP for a list of paths (cycled); every answer must be 200."""
    for i in range(warmup):
        status, _ = client.request("GET", paths[i % len(paths)])
        assert status == 200, f"{paths[i % len(paths)]} answered {status}"
    samples = []
    for i in range(requests):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        status, _ = client.request("GET", path)
        samples.append(time.perf_counter() - started)
        assert status == 200, f"{path} answered {status}"
    return percentiles(samples)


def wait_ready(port, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /health")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def wrk(port, path, seconds):
    result = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = 0
    for pattern in [r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"]:
        match = re.search(pattern, out)
        if match:
            errors += sum(int(g) for g in match.groups())
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    return rate, errors, p99.group(0) if p99 else "?"


def fold(text):
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if not unicodedata.combining(c) and c not in "'’").lower()


def sample_names(csv_path, count=200):
    """Family names and given names spread over the file, for search."""
    names = []
    with open(csv_path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        given, family = header.index("given_names"), header.index("family_name")
        for number, line in enumerate(f):
            if number % 4999 == 0:
                cells = line.rstrip("\n").split(",")
                names.append((cells[given], cells[family]))
            if len(names) >= count:
                break
    return names


def run_queries(port, env, names, label):
    """The budgets' queries against a running server: {row: (p50, p95, p99)}."""
    results = {}
    caseworker = sign_in(port, "bench.caseworker@example.org", create_user(env, "caseworker", "bench.caseworker@example.org"))
    status, page = caseworker.request("GET", "/cases")
    assert status == 200 and re.search(rb"[A-Z]{3}-\d{4}-\d{5}", page), "the case worker's caseload is empty: the measures would be of an empty list"
    me = sign_in(port, "bench.me@example.org", create_user(env, "me_officer", "bench.me@example.org"))
    token = subprocess.run([BIN, "user", "token", "bench.me@example.org", "--name", "bench"], env=env, capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1]
    api = Client(port)
    api.headers["Authorization"] = f"Bearer {token}"

    filters = {
        "caseload: no filter, newest first": ["/cases"],
        "caseload: status + sort by registration": ["/cases?status=arrived", "/cases?status=registered", "/cases?status=reintegration_ongoing"],
        "caseload: host country + sort by name": ["/cases?host_country=MAR&sort=principal_name&dir=asc", "/cases?host_country=LBY&sort=principal_name&dir=asc"],
        "caseload: vulnerability + sort by arrival": ["/cases?vulnerability=vot&sort=arrival_date", "/cases?vulnerability=medical&sort=arrival_date"],
        "caseload: registered in a period, page 40": ["/cases?registered_from=2024-01-01&registered_to=2024-12-31&page=40"],
        "caseload: office + sort by case number": ["/cases?office=CIV&sort=case_number&dir=asc"],
        "caseload: updated this week": ["/cases?recent=1"],
    }
    def run(name, client, paths, requests=200):
        log(f"{label}: {name}")
        try:
            results[name] = measure(client, paths, requests=requests)
            log(f"{label}: {name}: p50/p95/p99 = " + " / ".join(f"{x:.1f}" for x in results[name]) + " ms")
        except AssertionError as error:
            log(f"{label}: {name}: FAILED: {error}")
            results[name] = None

    for name, paths in filters.items():
        run(name, caseworker, paths)
    searches = []
    for given, family in names:
        searches.append("/cases?q=" + urllib.parse.quote(fold(family)))
        searches.append("/cases?q=" + urllib.parse.quote(f"{fold(given)[:4]} {fold(family)[:5]}"))
    run("name search (accent-insensitive, 400 names)", caseworker, searches, requests=400)
    run("M&E dashboard page", me, ["/dashboard"])
    figures = [
        "/api/v1/figures?indicator=returns",
        "/api/v1/figures?indicator=returns&host_country=MAR&from=2020-01-01&to=2024-12-31",
        "/api/v1/figures?indicator=returns&sex=female&age_group=18-24",
        "/api/v1/figures?indicator=registrations&from=2023-01-01&to=2023-12-31",
        "/api/v1/figures?indicator=vot_identified",
        "/api/v1/figures?indicator=cases_open",
    ]
    run("/api/v1/figures", api, figures)
    return results


def serve(env, port):
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_ready(port, process)
    return process


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def load_test(port, pid, seconds):
    peak = [rss_mb(pid)]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], rss_mb(pid))
            except OSError:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    results = {}
    try:
        for path in ["/health", "/", "/api/v1/public/returns?by=host_country"]:
            log(f"wrk {path}")
            results[path] = wrk(port, path, seconds)
            log(f"wrk {path}: {results[path][0]:,.0f} req/s, {results[path][1]} errors, {results[path][2]}")
    finally:
        done.set()
        sampler.join()
    return results, peak[0]


class Postgres:
    def __init__(self, work):
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if os.path.isdir(f"/usr/lib/postgresql/{d}/bin"))
        self.bin = f"/usr/lib/postgresql/{bins[-1]}/bin"
        self.dir = os.path.join(work, "pg")
        os.makedirs(self.dir)
        self.port = free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(work, "postgres")

    def start(self):
        data = os.path.join(self.dir, "data")
        subprocess.run(self.as_owner + [f"{self.bin}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True)
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.dir} -c shared_buffers=256MB -c max_wal_size=4GB"
        subprocess.run(self.as_owner + [f"{self.bin}/pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"), "-w", "-o", options, "start"],
                       check=True, capture_output=True)
        subprocess.run(self.as_owner + [f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "corridor"],
                       check=True, capture_output=True)
        return f"postgres://postgres@127.0.0.1:{self.port}/corridor?sslmode=disable"

    def stop(self):
        subprocess.run(self.as_owner + [f"{self.bin}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "stop"], capture_output=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--postgres-only", action="store_true",
                        help="generate, import into PostgreSQL and measure its queries only (the 10 M run: caseload p95 <= 100 ms, dashboard <= 50 ms)")
    parser.add_argument("--imports-only", action="store_true",
                        help="only the imports: grouped and shuffled files, SQLite and PostgreSQL (no HTTP, no wrk)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="corridor-bench.")
    os.chmod(work, 0o755)
    cores, memory, model = machine()
    rows = []  # (what, budget, sqlite, postgres, verdict)
    try:
        log(f"generating {args.individuals} individuals")
        generated, _, _ = timed([BIN, "generate", "--individuals", str(args.individuals), "--seed", "1", "--out", os.path.join(work, "gen")])
        csv_path = os.path.join(work, "gen", "cases.csv")
        size = os.path.getsize(csv_path) / 1e6
        rows.append((f"generate {args.individuals:,} individuals ({size:.0f} MB CSV)", "< 60 s", f"{generated:.1f} s", "", "met" if generated < 60 else "NOT met"))

        if args.postgres_only:
            postgres_only(args, work, csv_path, rows)
            print_table(cores, memory, model, args.individuals, rows)
            return

        log("sqlite3 .import into a bare table")
        bare = os.path.join(work, "bare.sqlite")
        started = time.monotonic()
        subprocess.run(["sqlite3", bare], input=f".mode csv\n.import {csv_path} bare\n", text=True, check=True)
        sqlite_import = time.monotonic() - started

        sqlite_env = corridor_env(os.path.join(work, "sqlite"))
        subprocess.run([BIN, "migrate", "apply"], env=sqlite_env, check=True, capture_output=True)
        log(f"sqlite3 .import: {sqlite_import:.1f} s")
        log("corridor import cases into SQLite")
        seconds, peak, out = timed([BIN, "import", "cases", csv_path, "--commit"], env=sqlite_env)
        log(out.strip().splitlines()[-1] + f" in {seconds:.1f} s, peak {peak:.0f} MB")
        ratio = seconds / sqlite_import
        rows.append(("import cases into SQLite: time", "<= 60 s", f"{seconds:.1f} s", "", "met" if seconds <= 60 else "NOT met"))
        rows.append(("import cases into SQLite: peak memory", "<= 500 MB", f"{peak:.0f} MB", "", "met" if peak <= 500 else "NOT met"))
        rows.append((f"import time / sqlite3 .import ({sqlite_import:.1f} s)", "<= 6x", f"{ratio:.1f}x", "", "met" if ratio <= 6 else "NOT met"))
        floor = sqlite3_floor(work, os.path.join(work, "sqlite", "corridor.sqlite"))
        rows.append(("floor: sqlite3 .import of the rows Corridor wrote (its tables, indexes built after)", "", f"{floor:.1f} s (import {seconds / floor:.2f}x)", "", ""))

        # The same rows shuffled, as a spreadsheet sorted by name or date leaves them: a
        # household's members anywhere in the file.
        shuffled_path = os.path.join(work, "gen", "cases-shuffled.csv")
        with open(csv_path, encoding="utf-8") as source:
            header, *lines = source.readlines()
        random.Random(1).shuffle(lines)
        with open(shuffled_path, "w", encoding="utf-8") as target:
            target.write(header)
            target.writelines(lines)
        del lines
        shuffled_env = corridor_env(os.path.join(work, "sqlite-shuffled"))
        subprocess.run([BIN, "migrate", "apply"], env=shuffled_env, check=True, capture_output=True)
        log("corridor import cases (shuffled rows) into SQLite")
        shuffled_seconds, shuffled_peak, out = timed([BIN, "import", "cases", shuffled_path, "--commit"], env=shuffled_env)
        log(out.strip().splitlines()[-1] + f" in {shuffled_seconds:.1f} s, peak {shuffled_peak:.0f} MB")
        shuffled_row = len(rows)
        rows.append(("import cases, shuffled rows: time / peak memory", "<= 500 MB", f"{shuffled_seconds:.1f} s / {shuffled_peak:.0f} MB", "",
                     "met" if shuffled_peak <= 500 else "NOT met"))
        if args.imports_only and not args.skip_postgres:
            postgres = Postgres(work)
            url = postgres.start()
            try:
                for label, path, database in [("grouped", csv_path, "corridor"), ("shuffled", shuffled_path, "shuffled")]:
                    if database != "corridor":
                        subprocess.run(postgres.as_owner + [f"{postgres.bin}/createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", database],
                                       check=True, capture_output=True)
                    database_url = url.rsplit("/", 1)[0] + f"/{database}?sslmode=disable"
                    pg_env = corridor_env(os.path.join(work, f"pg-{label}"), database_url=database_url)
                    subprocess.run([BIN, "migrate", "apply"], env=pg_env, check=True, capture_output=True)
                    log(f"corridor import cases ({label}) into PostgreSQL")
                    pg_seconds, pg_memory, out = timed([BIN, "import", "cases", path, "--commit"], env=pg_env)
                    log(out.strip().splitlines()[-1] + f" in {pg_seconds:.1f} s, peak {pg_memory:.0f} MB")
                    index = 1 if label == "grouped" else shuffled_row
                    rows[index] = (rows[index][0], rows[index][1], rows[index][2], f"{pg_seconds:.1f} s / {pg_memory:.0f} MB", rows[index][4])
            finally:
                postgres.stop()
        if args.imports_only:
            print_table(cores, memory, model, args.individuals, rows)
            return

        names = sample_names(csv_path)
        port = free_port()
        env = corridor_env(os.path.join(work, "sqlite"), port=port)
        server = serve(env, port)
        try:
            sqlite_queries = run_queries(port, env, names, "SQLite")
            load, peak_rss = load_test(port, server.pid, args.wrk_seconds)
        finally:
            stop(server)

        pg_import = pg_peak = None
        pg_queries = {}
        if not args.skip_postgres:
            pg_import, pg_peak, pg_queries = postgres_import_and_queries(work, csv_path, names)
            rows[1] = (rows[1][0], rows[1][1], rows[1][2], f"{pg_import:.1f} s ({pg_import / seconds:.1f}x)",
                       rows[1][4] + ("; PG met" if pg_import <= 2 * seconds else "; PG NOT within 2x"))
            rows[2] = (rows[2][0], rows[2][1], rows[2][2], f"{pg_peak:.0f} MB", rows[2][4])

        budgets = {"M&E dashboard page": 100, "/api/v1/figures": 20}
        for name, measured in sqlite_queries.items():
            budget = budgets.get(name, 50)
            pg = pg_queries.get(name)
            if measured is None:
                rows.append((f"{name}: p50 / p95 / p99 ms", f"p95 <= {budget} ms", "FAILED (an answer was not 200)", "", "NOT met"))
                continue
            p50, p95, p99 = measured
            verdict = "met" if p95 <= budget else "NOT met"
            pg_text = ""
            if pg:
                pg_text = f"{pg[0]:.1f} / {pg[1]:.1f} / {pg[2]:.1f}"
                verdict += "; PG met" if pg[1] <= max(2 * p95, budget) else "; PG NOT within 2x"
            elif name in pg_queries:
                pg_text, verdict = "FAILED (an answer was not 200)", verdict + "; PG failed"
            rows.append((f"{name}: p50 / p95 / p99 ms", f"p95 <= {budget} ms", f"{p50:.1f} / {p95:.1f} / {p99:.1f}", pg_text, verdict))
        health = load["/health"][0]
        for path in ["/health", "/", "/api/v1/public/returns?by=host_country"]:
            rate, errors, p99 = load[path]
            share = rate / health * 100
            verdict = "" if path == "/health" else ("met" if share >= 50 and errors == 0 else "NOT met")
            rows.append((f"wrk -t2 -c64 -d{args.wrk_seconds}s {path}: req/s ({share:.0f}% of /health), errors", ">= 50%, 0 errors" if path != "/health" else "reference",
                         f"{rate:,.0f} req/s, {errors} errors, {p99}", "", verdict))
        rows.append(("server resident memory during the load test (peak)", "<= 250 MB", f"{peak_rss:.0f} MB", "", "met" if peak_rss <= 250 else "NOT met"))
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", work])
        else:
            log(f"work folder kept: {work}")

    print_table(cores, memory, model, args.individuals, rows)


def sqlite3_floor(work, imported):
    """What sqlite3's own importer takes to write the rows Corridor wrote: the four tables an
    import fills, dumped to CSV and loaded with `.import` into an empty Corridor schema in one
    transaction, secondary indexes dropped first and built after (as the import does), page
    cache as the import's. The floor for these rows, whatever reads and checks the file."""
    folder = os.path.join(work, "floor")
    os.makedirs(folder)
    tables = ["return_cases", "case_members", "case_transitions", "case_terms"]
    for table in tables:
        with open(os.path.join(folder, f"{table}.csv"), "w") as out:
            subprocess.run(["sqlite3", "-csv", imported, f"SELECT * FROM {table}"], stdout=out, check=True)
    env = corridor_env(os.path.join(folder, "db"))
    subprocess.run([BIN, "migrate", "apply"], env=env, check=True, capture_output=True)
    target = os.path.join(folder, "db", "corridor.sqlite")
    listed = ", ".join(f"'{t}'" for t in tables)
    indexes = subprocess.run(["sqlite3", target, f"SELECT name || char(9) || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({listed})"],
                             capture_output=True, text=True, check=True).stdout.strip().splitlines()
    script = ["PRAGMA cache_size = -65536;", "BEGIN;"] + [f"DROP INDEX {line.split(chr(9))[0]};" for line in indexes] + [".mode csv"]
    script += [f".import {os.path.join(folder, t + '.csv')} {t}" for t in tables]
    script += [line.split("\t", 1)[1] + ";" for line in indexes] + ["COMMIT;"]
    log("sqlite3 .import of the rows Corridor wrote (the floor)")
    started = time.monotonic()
    subprocess.run(["sqlite3", target], input="\n".join(script) + "\n", text=True, check=True, capture_output=True)
    seconds = time.monotonic() - started
    log(f"floor: {seconds:.1f} s")
    subprocess.run(["rm", "-rf", folder])
    return seconds


def postgres_import_and_queries(work, csv_path, names):
    """A throw-away cluster: the import (seconds, peak MB) and the queries' percentiles."""
    postgres = Postgres(work)
    url = postgres.start()
    try:
        pg_env = corridor_env(os.path.join(work, "pgdata"), database_url=url)
        subprocess.run([BIN, "migrate", "apply"], env=pg_env, check=True, capture_output=True)
        log("corridor import cases into PostgreSQL")
        seconds, peak, out = timed([BIN, "import", "cases", csv_path, "--commit"], env=pg_env)
        log(out.strip().splitlines()[-1] + f" in {seconds:.1f} s, peak {peak:.0f} MB")
        port = free_port()
        env = corridor_env(os.path.join(work, "pgdata"), database_url=url, port=port)
        server = serve(env, port)
        try:
            queries = run_queries(port, env, names, "PostgreSQL")
        finally:
            stop(server)
    finally:
        postgres.stop()
    return seconds, peak, queries


def postgres_only(args, work, csv_path, rows):
    """Import into PostgreSQL and measure its queries against the 10 M budgets."""
    seconds, peak, queries = postgres_import_and_queries(work, csv_path, sample_names(csv_path))
    rows.append(("import cases into PostgreSQL: time / peak memory", "", "", f"{seconds:.1f} s / {peak:.0f} MB", ""))
    budgets = {"M&E dashboard page": 50, "/api/v1/figures": 20}
    for name, measured in queries.items():
        budget = budgets.get(name, 100)
        if measured is None:
            rows.append((f"{name}: p50 / p95 / p99 ms", f"p95 <= {budget} ms", "", "FAILED (an answer was not 200)", "NOT met"))
            continue
        rows.append((f"{name}: p50 / p95 / p99 ms", f"p95 <= {budget} ms", "", " / ".join(f"{x:.1f}" for x in measured),
                     "met" if measured[1] <= budget else "NOT met"))


def print_table(cores, memory, model, individuals, rows):
    print()
    print(f"Corridor benchmark, {time.strftime('%Y-%m-%d %H:%M')} UTC: {cores} cores ({model}), {memory:,} MB memory, "
          f"{individuals:,} individuals, release build")
    print()
    print("| what | budget | SQLite | PostgreSQL | verdict |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
