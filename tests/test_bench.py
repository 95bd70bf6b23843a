"""The benchmarks run end to end; their timings are shown by bench/, never asserted here."""

import math
import re
import time

import pytest

from bench.engine import (
    DATA_HEADER,
    DATA_TARGET,
    MANY_ARCHS,
    MANY_HEADER,
    MANY_TARGET,
    SINGLE_ARCHS,
    TARGET_HEADER,
    TRAIN_HEADER,
    TRAIN_TARGET,
    main,
)

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", re.IGNORECASE)


def numbers_after(label, line):
    return [float(text) for text in NUMBER.findall(line[len(label):])]


def test_quick_benchmark_prints_every_table_with_a_finite_number_in_each_row(capsys):
    assert main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for header in (TRAIN_HEADER, MANY_HEADER, DATA_HEADER, TARGET_HEADER):
        assert header in lines
    assert any("extrapolated from" in line for line in lines)

    arch_labels = ["-".join(map(str, sizes)) for sizes in SINGLE_ARCHS + MANY_ARCHS]
    arch_rows = [(line.split()[0], line) for line in lines
                 if line.split() and line.split()[0] in arch_labels]
    target_rows = [(label, line) for line in lines
                   for label in (TRAIN_TARGET, MANY_TARGET, DATA_TARGET) if line.startswith(label)]
    assert [label for label, _ in arch_rows] == arch_labels
    assert len(target_rows) == 3
    assert sum(line.startswith(("XOR 4 points", "spiral 400 points")) for line in lines) == 2
    for label, line in arch_rows + target_rows:
        values = numbers_after(label, line)
        assert values, line
        assert all(math.isfinite(value) for value in values), line


# --- bench/verdict.py: its samples, its contradictions, its table ----------------------------

def test_verdict_bench_samples_are_disjoint_valid_and_span_what_the_issue_asks():
    from bench import verdict as bench

    samples = [bench.sample(300, which) for which in (0, 1, 2)]
    seeds = [{c.seed for c in sample} for sample in samples]
    assert not (seeds[0] & seeds[1] or seeds[0] & seeds[2] or seeds[1] & seeds[2])
    assert bench.sample(300, 1) == samples[1]      # a sample is the same every time
    drawn = [c for sample in samples for c in sample]
    assert {len(c.layer_sizes) - 2 for c in drawn} == {1, 2, 3, 4}   # 1 to 4 hidden layers
    assert {c.activation for c in drawn} == {"sigmoid", "tanh", "relu", "linear"}
    assert {c.loss for c in drawn} == {"mse", "bce"}
    assert {c.init for c in drawn} == {"xavier", "he", "uniform"}
    assert min(c.lr for c in drawn) == 0.01 and max(c.lr for c in drawn) == 10.0
    assert {c.dataset for c in drawn} > {"xor", "circle", "spiral", "moons", "gaussians"}
    assert any(c.batch for c in drawn) and any(c.l2 for c in drawn)


def test_verdict_bench_names_each_kind_of_contradicted_verdict():
    from bench.verdict import Outcome, contradiction, table
    from runs import DEFAULTS
    from verdict import Kind

    def outcome(kind, accuracy, solved=None, lost=None, rise=0.1):
        return Outcome(DEFAULTS, kind, accuracy, solved, lost, False, 1.0, rise)

    assert "solved at epoch 7,514" in contradiction(outcome(Kind.STUCK, 0.75, solved=7514))
    assert contradiction(outcome(Kind.STUCK, 0.75)) is None
    assert "below 100% at epoch 1,956" in contradiction(outcome(Kind.CONVERGED, 1.0, lost=1956))
    assert contradiction(outcome(Kind.CONVERGED, 1.0)) is None
    assert "flat loss" in contradiction(outcome(Kind.OSCILLATING, 0.5, rise=5.6e-16))
    assert contradiction(outcome(Kind.OSCILLATING, 0.5, rise=0.01)) is None
    assert contradiction(outcome(Kind.PLATEAU, 0.75, solved=9000)) is None   # says no more
    rows = table([outcome(Kind.STUCK, 0.75), outcome(Kind.CONVERGED, 1.0, lost=10)]).splitlines()
    assert rows[1].split() == ["converged", "0", "1", "0", "0", "0", "1"]
    assert rows[2].split() == ["stuck", "0", "0", "0", "1", "0", "1"]


# --- bench/browser.py: the table from samples, and one short run in a real browser -------------



def test_browser_bench_table_gives_medians_ratios_and_says_why_a_measure_is_missing():
    from bench.browser import PageRecord, Visit, table

    reference, current = PageRecord("reference", "HEAD", ""), PageRecord("current", "tree", "")
    for ms in (100.0, 300.0, 200.0):
        visit = Visit(first_what="chart", first_shown={"drawnCharts": 0},
                      play={"values": [], "slider": True, "animated_png": True, "srcs": 1})
        visit.add("ready", ms)
        visit.add("play_values", 0.0)
        reference.visits.append(visit)
        visit = Visit(first_what="boundary image")
        visit.add("ready", ms / 2)
        visit.fail(["play_values"], "the Play toggle is disabled", missing=True)
        current.visits.append(visit)
    text, notes = table(reference, current)
    rows = {line.split(" (")[0]: line for line in text.splitlines()}
    assert rows["page ready"].split()[-5:] == ["200", "(100-300)", "100", "(50-150)", "0.50"]
    assert rows["Play: scrubber values"].split()[-4:] == ["0.0", "(0.0-0.0)", "n/a", "n/a"]
    assert rows["Train -> first result"].split()[-3:] == ["n/a", "n/a", "n/a"]
    assert any("current: n/a: the Play toggle is disabled" in note for note in notes)
    assert any(note.startswith("first result caught on reference: chart x3 (in 3 of them")
               for note in notes)
    assert any("Play on reference: the scrubber never moved" in note and "3 of 3" in note
               for note in notes)


@pytest.mark.e2e
def test_browser_bench_runs_both_pages_and_leaves_no_worktree_or_server(tmp_path, capsys):
    import json
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    from bench.browser import MEASURES, ROOT, main

    def worktrees():
        return subprocess.run(["git", "worktree", "list"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.splitlines()

    before = worktrees()
    saved = tmp_path / "samples.json"
    # Its own thread: asyncio.run must not meet a sync Playwright loop of an earlier e2e test.
    with ThreadPoolExecutor(max_workers=1) as pool:
        code = pool.submit(main, ["--repeats", "1", "--steps", "1", "--play-seconds", "1",
                                  "--json", str(saved)]).result()
    assert code == 0
    out = capsys.readouterr().out
    assert "load average (1, 5, 15 min): start " in out
    for _, label, unit in MEASURES:
        assert any(line.startswith(f"{label} ({unit})") for line in out.splitlines()), label
    samples = json.loads(saved.read_text())
    assert len(samples["reference"]["samples"]["ready"]) == 1   # HEAD has a Train button
    assert worktrees() == before


# --- bench/experiments.py: every row measured and finite ------------------------------------

def test_quick_experiments_benchmark_prints_a_finite_row_for_each_experiment(capsys):
    from bench import experiments

    assert experiments.main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert experiments.TABLE_HEADER in lines
    rows = lines[lines.index(experiments.TABLE_HEADER) + 1:]
    for start in ("studies.sweep", "train_many", "reliability map", "landscape.plane 41x41, 2-4-1",
                  "landscape.plane 41x41, 2-8-8-1", "studies.race"):
        line = next((line for line in rows if line.startswith(start)), None)
        assert line is not None, start
        values = [float(text) for text in NUMBER.findall(line.split("  ", 1)[1])[:3]]
        assert len(values) == 3 and all(math.isfinite(v) and v > 0 for v in values), line


def test_ctrl_c_stops_the_verdict_bench_and_every_worker_it_started():
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    bench = subprocess.Popen([sys.executable, "-m", "bench.verdict", "--runs", "400"], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)   # its own group, as a terminal's job

    def group():   # the bench and its workers: every process of its session
        found = set()
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and os.getsid(int(entry.name)) == bench.pid:
                    found.add(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
        return found

    deadline = time.monotonic() + 60
    while len(group()) < 3 and time.monotonic() < deadline:   # the bench and two workers
        time.sleep(0.2)
    assert len(group()) >= 3, "the workers never started"
    time.sleep(1.0)
    os.killpg(bench.pid, signal.SIGINT)   # what Ctrl-C sends: the whole foreground group
    output, _ = bench.communicate(timeout=60)
    assert bench.returncode == 130, output
    assert "interrupted after" in output and "Traceback" not in output, output
    deadline = time.monotonic() + 10
    while group() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group(), "worker processes were left running"


# --- bench/server.py: the server's CPU per step ----------------------------------------------

def test_tree_cpu_counts_a_child_process_that_cpu_seconds_of_the_parent_does_not():
    import os
    import subprocess
    import sys

    from tests.browser import cpu_seconds, tree_cpu_seconds

    child = subprocess.Popen([sys.executable, "-c", "import time\nend = time.process_time() + 0.5\n"
                              "while time.process_time() < end: pass\ntime.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while cpu_seconds(child.pid) < 0.45 and time.monotonic() < deadline:
            time.sleep(0.05)
        alone, tree = cpu_seconds(os.getpid()), tree_cpu_seconds(os.getpid())
        assert tree - alone >= 0.45   # the child's burn, counted while it lives
    finally:
        child.kill()
        child.wait()


def test_server_bench_table_gives_medians_ratios_and_the_targets():
    from bench.server import STEPS, Server, table

    reference, current = Server("HEAD", "", 0), Server("tree", "", 0)
    for seconds in (0.4, 0.2, 0.3):
        for step in STEPS:
            reference.seconds[step].append(seconds)
            current.seconds[step].append(seconds / 4)
    rows = {line[:16].strip(): line.split()[-5:] for line in table(reference, current).splitlines()}
    assert rows["cold page load"] == ["0.300", "0.075", "0.25x", "0.15", "yes"]
    assert rows["Train"] == ["0.300", "0.075", "0.25x", "0.25", "yes"]
