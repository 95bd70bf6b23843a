"""The README tells the truth about set-up and the experiments the app offers."""

import re
from pathlib import Path

from runs import PRESETS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def commands():
    return re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)


VENV = "python3 -m venv .venv && .venv/bin/pip install -r "


def test_set_up_is_two_commands_one_for_the_app_and_one_for_the_tests():
    app, tests = commands()[:2]
    # Each in a virtual environment: Debian's own Python refuses a system-wide pip install.
    assert app.startswith("apt-get update && apt-get install -y python3-venv && ")
    assert VENV + "requirements.txt && " in app
    assert app.endswith(".venv/bin/python -m streamlit run backprop_playground.py")
    assert VENV + "requirements-dev.txt && " in tests
    assert tests.endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    tests = commands()[1]
    packages = "apt-get install -y chromium python3-venv"
    assert packages in tests and packages in ci.replace("DEBIAN_FRONTEND=noninteractive ", "")
    for step in ("python3 -m venv .venv", ".venv/bin/pip install -r requirements-dev.txt",
                 ".venv/bin/python -m pytest"):
        assert step in tests and step in ci
    assert ".venv/bin/python -m ruff check" in ci


def test_every_try_this_experiment_is_listed_with_its_own_words():
    for preset in PRESETS:
        assert f"**{preset.title}.** " in README
        listed = README.split(f"**{preset.title}.** ", 1)[1].split("\n- ", 1)[0].split("\n\n")[0]
        assert " ".join(listed.split()) == preset.text


def test_every_linked_file_exists():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
