"""One suite of behaviour tests of the Repository contract, run against every implementation."""
