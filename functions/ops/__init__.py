"""The operators' command line: ``python -m functions.ops --help``."""
