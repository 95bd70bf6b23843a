"""Backprop Playground: watch a NumPy neural network learn XOR by backpropagation."""

import streamlit as st

st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide")
st.title("Backprop Playground")
st.write("Pick settings in the sidebar, then press **Train**.")
