"""The Lambda runtime's concerns: settings, start-up, each invocation."""
