"""Pages a prospect sees: booking links, meeting pages (rate limited, no account)."""
