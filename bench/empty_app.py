"""The smallest Streamlit page (bench/floor.py): what any Streamlit app costs a browser."""

import streamlit as st

st.title("Backprop Studio")
