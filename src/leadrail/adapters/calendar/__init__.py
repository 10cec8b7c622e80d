"""Calendars: iCalendar invitations (ics) and the rep's connected CalDAV calendar."""
