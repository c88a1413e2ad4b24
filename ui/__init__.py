"""Streamlit helpers shared by the pages (the engine never imports this)."""
