"""The engine benchmark runs end to end; its timings are shown by bench/, never asserted here."""

import math
import re

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
