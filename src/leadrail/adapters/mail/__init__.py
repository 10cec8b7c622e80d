"""Outgoing mail (SMTP)."""
