from __future__ import annotations

import pytest

from leadrail.routing.conditions import (
    OPERATORS,
    All,
    Always,
    AnyOf,
    Condition,
    Leaf,
    Not,
    describe,
    evaluate,
    explain,
)
from tests.unit.builders import LISTS, leaf, prospect

P = prospect(
    email="CTO@Sub.BigCo.test",
    country=" US ",
    industry="SaaS",
    employee_count="250",
    revenue="1e6",
    title="VP of Sales",
    blank="   ",
    score="abc",
)

# (field, op, value, expected)
CASES: list[tuple[str, str, object, bool]] = [
    # equals / not_equals: trimmed, case-insensitive, numeric when both sides are numbers
    ("country", "equals", "us", True),
    ("country", "equals", "US ", True),
    ("country", "equals", "fr", False),
    ("employee_count", "equals", 250.0, True),
    ("employee_count", "equals", "250.00", True),
    ("employee_count", "equals", 251, False),
    ("revenue", "equals", 1000000, True),
    ("missing", "equals", "x", False),
    ("blank", "equals", "", False),  # blank counts as missing
    ("country", "not_equals", "fr", True),
    ("country", "not_equals", "us", False),
    ("missing", "not_equals", "x", True),
    # in / not_in
    ("industry", "in", ("fintech", "saas"), True),
    ("employee_count", "in", (100, 250), True),
    ("industry", "in", ("fintech",), False),
    ("missing", "in", ("x",), False),
    ("industry", "not_in", ("fintech",), True),
    ("industry", "not_in", ("SAAS",), False),
    ("missing", "not_in", ("x",), True),
    # contains / starts_with / ends_with: a string or any of a list
    ("title", "contains", "sales", True),
    ("title", "contains", ("marketing", "SALES"), True),
    ("title", "contains", "marketing", False),
    ("missing", "contains", "x", False),
    ("title", "starts_with", "vp", True),
    ("title", "starts_with", ("cto", "vp of"), True),
    ("title", "starts_with", "sales", False),
    ("title", "ends_with", "SALES", True),
    ("title", "ends_with", ("vp",), False),
    ("email", "ends_with", "@sub.bigco.test", True),
    # greater_than / less_than: numbers only
    ("employee_count", "greater_than", 100, True),
    ("employee_count", "greater_than", 250, False),
    ("employee_count", "greater_than", 500, False),
    ("employee_count", "less_than", 500, True),
    ("employee_count", "less_than", 250, False),
    ("revenue", "greater_than", 999_999.5, True),
    ("score", "greater_than", 1, False),  # not a number
    ("score", "less_than", 1, False),
    ("missing", "greater_than", 1, False),
    ("missing", "less_than", 1, False),
    # exists
    ("country", "exists", True, True),
    ("country", "exists", False, False),
    ("missing", "exists", True, False),
    ("missing", "exists", False, True),
    ("blank", "exists", True, False),
    ("blank", "exists", False, True),
    # in_list: exact, subdomains for domain, full addresses or domains for email
    ("domain", "in_list", "target-accounts", True),  # sub.bigco.test under bigco.test
    ("email", "in_list", "target-accounts", True),  # the e-mail's domain's parent is listed
    ("domain", "in_list", "vip", False),
    ("country", "in_list", "target-accounts", False),
    ("missing", "in_list", "target-accounts", False),
    ("domain", "in_list", "no-such-list", False),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES)
def test_operator(field: str, op: str, value: object, expected: bool) -> None:
    assert evaluate(Leaf(field, op, value), P, LISTS) is expected


def test_every_operator_has_cases() -> None:
    assert {op for _, op, _, _ in CASES} == set(OPERATORS)


@pytest.mark.parametrize(
    ("fields", "field", "name", "expected"),
    [
        ({"domain": "bigco.test"}, "domain", "target-accounts", True),
        ({"domain": "a.b.bigco.test"}, "domain", "target-accounts", True),
        ({"domain": "notbigco.test"}, "domain", "target-accounts", False),
        ({"domain": "bigco.test.evil"}, "domain", "target-accounts", False),
        ({"email": "cto@startup.test"}, "email", "vip", True),  # full address listed
        ({"email": "ceo@startup.test"}, "email", "vip", False),  # only cto@ is listed
        ({"email": "anyone@vipco.test"}, "email", "vip", True),  # its domain is listed
        ({"email": "anyone@eu.vipco.test"}, "email", "vip", True),  # a parent domain is listed
        ({"company": {"domain": "eu.vipco.test"}}, "company.domain", "vip", True),
        ({"company": "vipco.test"}, "company", "vip", True),  # exact value of any field
        ({"company": "eu.vipco.test"}, "company", "vip", False),  # parents: domain fields only
        ({"company": "VIPCO.TEST "}, "company", "vip", True),  # trimmed, case-insensitive
    ],
)
def test_in_list_domains_and_emails(
    fields: dict[str, object], field: str, name: str, expected: bool
) -> None:
    assert evaluate(Leaf(field, "in_list", name), prospect(**fields), LISTS) is expected


def test_exists_without_value_means_true() -> None:
    assert evaluate(Leaf("country", "exists"), P, LISTS)
    assert not evaluate(Leaf("missing", "exists"), P, LISTS)


def test_unknown_operator_on_a_hand_built_leaf_raises() -> None:
    with pytest.raises(ValueError, match="unknown operator 'equalz'"):
        evaluate(Leaf("country", "equalz", "us"), P, LISTS)


def test_composites() -> None:
    yes, no = leaf("country", "equals", "us"), leaf("country", "equals", "fr")
    assert evaluate(All((yes, yes)), P, LISTS)
    assert not evaluate(All((yes, no)), P, LISTS)
    assert evaluate(AnyOf((no, yes)), P, LISTS)
    assert not evaluate(AnyOf((no, no)), P, LISTS)
    assert evaluate(Not(no), P, LISTS)
    assert not evaluate(Not(yes), P, LISTS)
    assert evaluate(Always(), P, LISTS)


@pytest.mark.parametrize(
    ("condition", "sentence"),
    [
        (
            leaf("domain", "in_list", "target-accounts"),
            "domain 'sub.bigco.test' is in list 'target-accounts' (through 'bigco.test')",
        ),
        (leaf("domain", "in_list", "vip"), "domain 'sub.bigco.test' is not in list 'vip'"),
        (leaf("domain", "in_list", "nope"), "list 'nope' does not exist"),
        (
            leaf("employee_count", "greater_than", 500),
            "employee_count '250' is not greater than 500",
        ),
        (leaf("employee_count", "less_than", 500), "employee_count '250' is less than 500"),
        (leaf("score", "greater_than", 5), "score 'abc' is not a number"),
        (leaf("country", "equals", "us"), "country 'US' equals 'us'"),
        (leaf("country", "not_equals", "us"), "country 'US' equals 'us'"),
        (leaf("country", "equals", "fr"), "country 'US' does not equal 'fr'"),
        (leaf("industry", "in", ("saas", "fintech")), "industry 'SaaS' is in ['saas', 'fintech']"),
        (leaf("title", "contains", ("cto", "sales")), "title 'VP of Sales' contains 'sales'"),
        (
            leaf("title", "starts_with", ("cto", "ceo")),
            "title 'VP of Sales' does not start with any of ['cto', 'ceo']",
        ),
        (leaf("missing", "equals", "x"), "missing is missing"),
        (leaf("country", "exists"), "country is present ('US')"),
        (
            All((leaf("country", "equals", "us"), leaf("industry", "equals", "saas"))),
            "all of 2 conditions held",
        ),
        (
            All((leaf("country", "equals", "us"), leaf("employee_count", "greater_than", 500))),
            "condition 2 of 2 failed: employee_count '250' is not greater than 500",
        ),
        (
            AnyOf((leaf("country", "equals", "fr"), leaf("industry", "equals", "saas"))),
            "condition 2 of 2 held: industry 'SaaS' equals 'saas'",
        ),
        (
            AnyOf((leaf("country", "equals", "fr"), leaf("country", "equals", "de"))),
            "none of 2 conditions held",
        ),
        (Not(leaf("country", "equals", "fr")), "country 'US' does not equal 'fr'"),
        (All((leaf("country", "exists"),)), "country is present ('US')"),
    ],
)
def test_explain(condition: Condition, sentence: str) -> None:
    assert explain(condition, P, LISTS) == sentence


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (leaf("domain", "in_list", "target-accounts"), "domain in list 'target-accounts'"),
        (leaf("country", "equals", "US"), "country equals 'US'"),
        (leaf("country", "not_equals", "US"), "country does not equal 'US'"),
        (leaf("industry", "not_in", ("a", "b")), "industry not in ['a', 'b']"),
        (leaf("employee_count", "greater_than", 500.0), "employee_count greater than 500"),
        (leaf("title", "contains", ("a", "b")), "title contains any of ['a', 'b']"),
        (leaf("title", "ends_with", "ops"), "title ends with 'ops'"),
        (leaf("phone", "exists"), "phone exists"),
        (leaf("phone", "exists", False), "phone does not exist"),
        (
            All((leaf("a", "equals", 1), Not(AnyOf((leaf("b", "exists"), leaf("c", "exists")))))),
            "(a equals 1 and not (b exists or c exists))",
        ),
        (Always(), "every prospect"),
    ],
)
def test_describe(condition: Condition, text: str) -> None:
    assert describe(condition) == text
