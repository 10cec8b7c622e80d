"""Pages for a person's browser: sign-in and accounts here, ``public/`` for prospects,
``dashboard/`` for admins."""
