"""Helpers shared by the tests (no tests here): free ports, waiting for a condition, servers
in a thread or a process, an SMTP inbox, the browser, the dashboard client."""
