"""The admins' dashboard: ``config/`` (the workspace screens), ``routers/``, ``analytics/``,
receipts."""
