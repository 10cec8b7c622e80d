"""Fixtures shared with the CRM tests: the admin API client and the fake HubSpot."""

from tests.integration.crm.test_hubspot import hubspot  # noqa: F401 (a fixture)
from tests.integration.test_crm_api import api  # noqa: F401 (a fixture)
