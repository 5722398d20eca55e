"""Bundled policy presets (YAML)."""
