"""CRM connectors behind one port: the built-in store, HubSpot, Salesforce."""
