"""What follows a booking in the outbox: the invitation e-mail and the event in the rep's
calendar (``notify``), the invitation's content (``invite``)."""
