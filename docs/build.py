"""Generate the companion documents in docs/ from the engine: python -m docs.build

Every number in the documents is computed by network.py when this runs: docs/calculus.py
writes the calculus of one step, docs/measurements.py trains the runs that
docs/hyperparameters.py describes, and docs/claims.py keeps the comparisons and bounds its
sentences make, which tests/test_docs.py checks on seeds the document never saw. The
generator is deterministic: running it twice writes the same bytes.
"""

import time
from pathlib import Path

from docs.calculus import calculus_text
from docs.hyperparameters import hyperparameters_text

DOCS = Path(__file__).resolve().parent


def documents():
    """Every generated document: file name -> text."""
    return {"backprop_calculus.md": calculus_text(),
            "hyperparameters.md": hyperparameters_text()}


def main():
    start = time.perf_counter()
    for name, text in documents().items():
        (DOCS / name).write_bytes(text.encode("utf-8"))
        print(f"wrote docs/{name}")
    print(f"built in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
