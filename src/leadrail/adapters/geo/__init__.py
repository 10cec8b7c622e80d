"""Where a website visitor probably is, offline: store choice, browser, US ZIP, IP (city .mmdb)."""

from leadrail.adapters.geo.locate import LocationHints, Locator, country_of_ip

__all__ = ["LocationHints", "Locator", "country_of_ip"]
