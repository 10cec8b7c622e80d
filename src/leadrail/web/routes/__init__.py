"""Route modules, by what they serve: ``api/`` (the HTTP API), ``pages/`` (``public/``,
``dashboard/``), ``live/`` (live routing's events, stream and console)."""
