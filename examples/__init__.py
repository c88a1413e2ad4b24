"""Presets, networks and models as data, registered by name."""
