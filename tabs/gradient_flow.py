"""Tab 2, "Gradient flow": every number of one forward pass, backward pass and update."""

import streamlit as st


def render(run, config):
    if run is None:
        st.info("Train a network first (sidebar), then inspect its gradients here.")
        return
    st.info("The step-by-step view of this run's forward and backward pass is being built.")
