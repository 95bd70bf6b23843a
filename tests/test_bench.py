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
