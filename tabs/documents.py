"""The companion documents in docs/, shown inside the app where they help."""

from functools import cache
from pathlib import Path

import streamlit as st

DOCS = Path(__file__).resolve().parent.parent / "docs"
CALCULUS = ("backprop_calculus", "Read: one step of backpropagation by hand, with real numbers "
            "(docs/backprop_calculus.md)")
HYPERPARAMETERS = ("hyperparameters", "Read: what the learning rate, architecture, seed and "
                   "epochs do, measured over 200 seeds (docs/hyperparameters.md)")


@cache
def text(name):
    """A document without its first line (the note that it is generated)."""
    return (DOCS / f"{name}.md").read_text(encoding="utf-8").split("\n", 1)[1]


def show(document):
    name, label = document
    with st.expander(label):
        st.markdown(text(name))
