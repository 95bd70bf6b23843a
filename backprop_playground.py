"""Backprop Playground: watch a NumPy neural network learn 2-D problems by backpropagation.

Run with `streamlit run backprop_playground.py`.
"""

import logging

import streamlit as st

from tabs import gradient_flow, live, sidebar, training

TABS = (("Training", training), ("Gradient flow", gradient_flow))

st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide")


def main():
    st.title("Backprop Playground")
    st.caption("A NumPy network learns 2-D problems by backpropagation, XOR first. Choose "
               "settings and data in the sidebar, press **Train**, then open **Gradient flow** "
               "to see every number of a step.")
    request = sidebar.sidebar()
    run = live.act(request)
    tabs = st.tabs([label for label, _ in TABS], key="tab", on_change="rerun")
    for tab, (_, module) in zip(tabs, TABS):
        if tab.open:
            with tab:
                module.render(run, request.config)


try:
    main()
except Exception:   # the page shows a plain message; the traceback goes to the server log
    logging.getLogger("backprop_playground").exception("unexpected error")
    st.error("Something went wrong while drawing this page. Your settings are kept; "
             "press **Reset** or reload the page.")
