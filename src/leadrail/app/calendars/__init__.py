"""Reps' cloud calendars (Google Calendar, Microsoft 365): connecting them (OAuth 2.0 with
PKCE), their status, and what the rest of leadrail asks of them."""
