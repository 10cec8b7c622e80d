"""Writing to the workspace's CRM from the outbox: a booked meeting's prospect (and the
meeting as an activity), a form lead's customer (``sync``), through ``ports.CrmWriter``."""
