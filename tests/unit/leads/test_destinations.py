"""Where a lead goes, exactly as PRODUCT.md says."""

from __future__ import annotations

from leadrail.leads.destinations import ALL, StoreMatch, Target, resolve

NEW = Target("newcars@dealer.test", "adf")
SERVICE = Target("service@dealer.test", "text")
HOOK = Target("https://crm.test/hook", "json")
EVERYTHING = Target("leads@dealer.test", "text")
FALLBACK = Target("manager@dealer.test", "adf")
CATEGORIES = {"New Models": [NEW, HOOK], "Service": [SERVICE], ALL: [EVERYTHING]}


def test_the_categorys_addresses_all_of_them() -> None:
    r = resolve("New Models", CATEGORIES, FALLBACK)
    assert r.targets == (NEW, HOOK)
    assert r.source == "category New Models"


def test_category_names_match_whatever_the_case() -> None:
    assert resolve("new models", CATEGORIES, FALLBACK).targets == (NEW, HOOK)


def test_no_addresses_then_all() -> None:
    r = resolve("Used Vehicles", CATEGORIES, FALLBACK)
    assert r.targets == (EVERYTHING,)
    assert r.trace == (
        "category Used Vehicles has no addresses",
        "the ALL category has 1 address(es)",
    )


def test_no_all_then_the_fallback() -> None:
    r = resolve("Used Vehicles", {"New Models": [NEW]}, FALLBACK)
    assert r.targets == (FALLBACK,)
    assert r.source == "fallback"


def test_an_empty_category_counts_as_none() -> None:
    assert resolve("Parts", {"Parts": [], ALL: [EVERYTHING]}, FALLBACK).targets == (EVERYTHING,)


def test_nothing_configured_keeps_the_lead_and_says_why() -> None:
    r = resolve("Parts", {}, None)
    assert r.targets == ()
    assert r.source == "none"
    assert "kept, undelivered" in r.trace[-1]


def test_the_nearest_store_first_then_its_all_then_normal_routing() -> None:
    store_service = Target("service-dt@dealer.test", "adf")
    downtown = StoreMatch("Downtown", {"Service": [store_service]}, "nearest (3.2 km)")
    assert resolve("Service", CATEGORIES, FALLBACK, downtown).targets == (store_service,)
    r = resolve("New Models", CATEGORIES, FALLBACK, downtown)
    assert r.targets == (NEW, HOOK)
    assert r.trace[0] == "store Downtown: nearest (3.2 km)"
    store_all = StoreMatch("Uptown", {ALL: [store_service]}, "the visitor chose it")
    assert resolve("New Models", CATEGORIES, FALLBACK, store_all).source == "store Uptown / ALL"
