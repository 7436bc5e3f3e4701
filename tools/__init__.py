"""Build-time helpers (catalog extraction, generated reference data); never shipped to Lambda."""
