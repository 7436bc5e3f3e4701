"""MIEUX intake-and-approval service: the code every Lambda of the app runs."""
