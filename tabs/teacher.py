"""The teacher's panel at the foot of the sidebar: one link per student, each with its own
seed or data seed, the same settings, and the controls the teacher locks or hides."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import data
import runs
from tabs.sidebar import LINKED_KEYS, TABS
from tabs.text import escaped

LOCAL = "http://localhost:8501/"   # where the page is, when the browser has not said
VARIES = {"seed": "seed (the same data, other initial weights)",
          "data_seed": "data seed (other points of the same kind)",
          "dataset": "dataset (the datasets in turn)"}
MAX_STUDENTS = 200


def page_address():
    """The page's address without its link settings."""
    url = st.context.url or LOCAL
    return url.split("?")[0]


def links_frame(address, links):
    """The class's links as a table: student, the varied value, the link."""
    return pd.DataFrame([{"student": student, "value": value, "link": f"{address}?{query}"}
                         for student, value, query in links])


def panel(request):
    """The panel, filled only while it is open: a closed one costs a page nothing."""
    config = request.config
    expander = st.sidebar.expander("For teachers: a link per student", key="teacher",
                                   on_change="rerun")
    if not expander.open:
        return
    with expander:
        if config is None:
            st.caption("Fix the settings above first: every link carries them.")
            return
        students = st.number_input("Students", min_value=1, max_value=MAX_STUDENTS, value=30,
                                   key="class_size")
        vary = st.radio("Each student gets their own", list(VARIES), format_func=VARIES.get,
                        key="class_vary")
        if vary == "dataset":
            first = data.NAMES.index(config.dataset) if config.dataset in data.NAMES else 0
        else:
            first = st.number_input("Numbered from", min_value=0, max_value=runs.MAX_SEED,
                                    value=int(getattr(config, vary)), key="class_first")
        lock = st.multiselect("Lock (shown, not changeable)", LINKED_KEYS, key="class_lock",
                              default=[vary])
        hide = st.multiselect("Hide", (*LINKED_KEYS, *TABS), key="class_hide",
                              format_func=lambda key: TABS.get(key, key) + (" tab" if key in TABS
                                                                            else ""))
        try:
            links = runs.class_links(config, students, vary, first, lock, hide)
        except ValueError as error:   # an uploaded file, or numbers past the largest seed
            st.caption(escaped(str(error)))
            return
        frame = links_frame(page_address(), links)
        values = frame["value"]
        st.caption(f"{len(frame):,} links with these settings, {vary} "
                   + (", ".join(dict.fromkeys(values)) if vary == "dataset" else
                      f"{values.iloc[0]:,} to {values.iloc[-1]:,}") + ".")
        st.dataframe(frame, hide_index=True, height=200,
                     column_config={"link": st.column_config.LinkColumn("link")})
        st.download_button("Download the links (CSV)", frame.to_csv(index=False),
                           file_name="class_links.csv", mime="text/csv", on_click="ignore",
                           key="class_csv")
