"""Form and offer leads: the pure part (values, destinations, formats). Standard library only."""
