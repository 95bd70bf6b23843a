"""Backprop Playground: watch a NumPy neural network learn 2-D problems by backpropagation.

Run with `streamlit run backprop_playground.py`.
"""

import logging

import streamlit as st

from tabs import experiments, gradient_flow, sidebar, teacher, training

TABS = (("Training", training, None), ("Gradient flow", gradient_flow, "gradient_flow"),
        ("Experiments", experiments, "experiments"))   # (label, module, its key in `hide=`)

st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide")

# Room for the one screen at 1280x720: less padding above and beside the page, a smaller title.
# An equation wider than its column scrolls inside its own box, not off the page.
STYLE = """<style>
[data-testid="stHeader"] {background: transparent;}
[data-testid="stMainBlockContainer"] {padding: 2.5rem 2rem 3rem 2rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 2rem; padding: 0;}
.st-key-scrubber [data-testid="stSlider"] {padding-top: 1.1rem;}
.katex-display {overflow-x: auto; overflow-y: hidden; padding: 0.2rem 0;
    scrollbar-width: thin; scrollbar-color: #9e9e9e transparent;}
/* The Gradient flow diagram is pointed at to click its connections: its hover toolbar would sit
   over the Next button just above it. */
.st-key-flow_diagram [data-testid="stElementToolbar"] {display: none;}
</style>"""


def main():
    st.html(STYLE)
    st.title("Backprop Playground")
    st.caption("A NumPy network learns 2-D problems by backpropagation: press **Train**, then "
               "open **Gradient flow** to see every number of a step.")
    request = sidebar.sidebar()
    teacher.panel(request)
    shown = [(label, module) for label, module, key in TABS if key not in request.limits.tabs]
    if st.session_state.get("tab") not in [label for label, _ in shown]:
        st.session_state["tab"] = shown[0][0]
    tabs = st.tabs([label for label, _ in shown], key="tab", on_change="rerun")
    for tab, (_, module) in zip(tabs, shown):
        if tab.open:
            with tab:
                module.render(request)


try:
    main()
except Exception:   # the page shows a plain message; the traceback goes to the server log
    logging.getLogger("backprop_playground").exception("unexpected error")
    st.error("Something went wrong while drawing this page. Your settings are kept; "
             "press **Reset** or reload the page.")
