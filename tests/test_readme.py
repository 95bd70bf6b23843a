"""The README tells the truth about set-up and the experiments the app offers."""

import re
from pathlib import Path

from runs import PRESETS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def commands():
    return re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)


def test_set_up_is_two_commands_one_for_the_app_and_one_for_the_tests():
    app, tests = commands()[:2]
    assert app == "pip install -r requirements.txt && streamlit run backprop_playground.py"
    assert "pip install -r requirements-dev.txt" in tests
    assert tests.endswith("python -m pytest")


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    tests = commands()[1]
    assert "apt-get install -y chromium" in tests and "apt-get install -y chromium" in ci
    for step in ("pip install -r requirements-dev.txt", "python -m pytest"):
        assert step in ci
    assert "ruff check" in ci


def test_every_try_this_experiment_is_listed_with_its_own_words():
    for preset in PRESETS:
        assert f"**{preset.title}.** " in README
        listed = README.split(f"**{preset.title}.** ", 1)[1].split("\n- ", 1)[0].split("\n\n")[0]
        assert " ".join(listed.split()) == preset.text


def test_every_linked_file_exists():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
