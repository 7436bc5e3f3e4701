"""MIEUX intake-and-approval service: the code of the app's Lambda functions."""
