"""CRM facts in the routing core: which facts a router reads, the fields made of the records
found, and the engine routing on them (opportunity owner, a rule's own reason). Properties
checked by Hypothesis: only the CRM says ``crm.`` facts, whatever the prospect sent."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.routing.conditions import Leaf, evaluate, load_condition
from leadrail.routing.crm_facts import CrmFound, CrmWant, facts, router_wants, wanted, with_facts
from leadrail.routing.engine import route
from leadrail.routing.enrichment import Enriched, enrich
from leadrail.routing.model import (
    CrmRecord,
    Destination,
    Opportunity,
    RouterSpec,
    RoutingContext,
    Rule,
)
from tests.unit.builders import NOW, TZ, prospect, user, users

FAST = settings(max_examples=150, deadline=None)
COMPANY = CrmRecord("company", "7", "bigco.test", "OWN-2", False, (("tier", "1"),))
CONTACT = CrmRecord("contact", "3", "cto@bigco.test", "OWN-1", True, (("lifecycle", "lead"),))


def spec(*rules: Rule, default: Destination | None = None) -> RouterSpec:
    return RouterSpec("r", TZ, rules, default or Destination("user", users=("dee@acme.test",)))


def test_wanted_names_the_properties_and_opportunities_the_conditions_read() -> None:
    when = load_condition(
        {"all": [{"field": "crm.company.tier", "op": "equals", "value": 1},
                 {"field": "crm.contact.owner", "op": "exists"},
                 {"field": "crm.Company.Industry", "op": "equals", "value": "x"},
                 {"field": "crm.opportunity.open", "op": "equals", "value": True},
                 {"field": "crm.has_owner", "op": "exists"},
                 {"field": "country", "op": "equals", "value": "FR"}]}
    )  # fmt: skip
    assert wanted([when]) == CrmWant(company=("industry", "tier"), opportunities=True, records=True)
    assert not wanted([Leaf("country", "equals", "FR")])


def test_an_opportunity_owner_route_wants_opportunities_without_a_condition() -> None:
    rule = Rule("deal", Leaf("country", "equals", "FR"), Destination("opportunity_owner"))
    assert router_wants(spec(rule)) == CrmWant(opportunities=True)


def test_facts_of_the_records_found() -> None:
    want = CrmWant(contact=("lifecycle",), company=("tier", "size"), opportunities=True)
    found = CrmFound((CONTACT, COMPANY), (Opportunity("o1", "OWN-9", "Renewal", "won", "10"),))
    assert facts(found, want) == {
        "crm.contact.id": "3", "crm.contact.owner": "OWN-1", "crm.contact.lifecycle": "lead",
        "crm.company.id": "7", "crm.company.owner": "OWN-2", "crm.company.tier": "1",
        "crm.opportunity.open": "true", "crm.opportunity.count": "1",
        "crm.opportunity.owner": "OWN-9", "crm.opportunity.stage": "won",
        "crm.opportunity.amount": "10", "crm.opportunity.name": "Renewal",
    }  # fmt: skip
    assert facts(CrmFound(), want) == {
        "crm.opportunity.open": "false",
        "crm.opportunity.count": "0",
    }


def test_opportunity_owner_route_and_the_rules_reason() -> None:
    rule = Rule("deal", Leaf("crm.opportunity.open", "equals", True),
                Destination("opportunity_owner"), reason="Owner keeps the deal")  # fmt: skip
    people = users(user("ana@acme.test", crm_owner_id="OWN-9"), "dee@acme.test")
    want = router_wants(spec(rule))
    found = CrmFound((), (Opportunity("o1", None), Opportunity("o2", "OWN-9", "Renewal")))
    seen = with_facts(prospect(email="cfo@dealco.test"), facts(found, want))
    ctx = RoutingContext(users=people, opportunities=found.opportunities)
    decision = route(spec(rule), seen, ctx, NOW)
    assert (decision.assignees, decision.via, decision.rule) == (
        ("ana@acme.test",), "opportunity", "deal")  # fmt: skip
    details = [(s.step, s.detail) for s in decision.trace]
    assert ("reason", "Owner keeps the deal") in details
    assert ("opportunity", "opportunity o1 has no owner") in details
    assert ("opportunity", "opportunity Renewal is owned by ana@acme.test: assigned") in details


def test_no_open_opportunity_falls_back_to_the_default() -> None:
    rule = Rule("deal", Leaf("country", "equals", "FR"), Destination("opportunity_owner"))
    decision = route(spec(rule), prospect(email="a@b.test", country="FR"),
                     RoutingContext(users=users("dee@acme.test")), NOW)  # fmt: skip
    assert (decision.rule, decision.assignees) == ("deal", ("dee@acme.test",))
    assert [s.step for s in decision.trace][-2:] == ["fallback", "user"]


names = st.sampled_from(["tier", "industry", "lifecycle", "open", "owner", "x_1"])
kinds = st.sampled_from(["contact", "lead", "company", "opportunity"])
values = st.text(alphabet="ab1 ", max_size=4)


@FAST
@given(
    sent=st.dictionaries(st.tuples(kinds, names), values, max_size=6),
    stored=st.dictionaries(names, values, max_size=4),
    opportunities=st.integers(min_value=0, max_value=2),
)
def test_only_the_crm_says_crm_facts(
    sent: dict[tuple[str, str], str], stored: dict[str, str], opportunities: int
) -> None:
    """Whatever a prospect sends under ``crm.``, the fields the engine sees under ``crm.`` are
    exactly the facts of the records found; so a condition on a fact gives the same answer."""
    raw: dict[str, object] = {"email": "cto@bigco.test"}
    raw.update({f"crm.{k}.{n}": v for (k, n), v in sent.items()})
    company = CrmRecord("company", "7", "bigco.test", None, False, tuple(stored.items()))
    found = CrmFound((company,), tuple(Opportunity(f"o{i}", None) for i in range(opportunities)))
    want = CrmWant(company=tuple(sorted(stored)), opportunities=True, records=True)
    told = facts(found, want)
    seen = with_facts(prospect(**raw), told)
    assert {k: v for k, v in seen.fields.items() if k.startswith("crm.")} == told
    assert seen.fields["crm.opportunity.open"] == ("true" if opportunities else "false")
    clean = with_facts(prospect(email="cto@bigco.test"), told)
    for name in stored:
        leaf = Leaf(f"crm.company.{name}", "equals", "1")
        assert evaluate(leaf, seen, {}) == evaluate(leaf, clean, {})


# --- the enrichment step --------------------------------------------------------------------

field_names = st.sampled_from(["industry", "country", "company_size", "name"])


@FAST
@given(
    sent=st.dictionaries(field_names, st.text(alphabet="ab ", max_size=3), max_size=4),
    found=st.dictionaries(field_names, st.text(alphabet="xy ", max_size=3), max_size=4),
)
def test_enrichment_only_fills_what_the_prospect_lacks(
    sent: dict[str, str], found: dict[str, str]
) -> None:
    """A field the prospect sent (not blank) is never changed; every field added came from the
    provider; the trace's ``added`` is exactly what changed."""
    before = prospect(email="cto@bigco.test", **sent)
    after, step = enrich(before, Enriched("test", found))
    for name, value in before.fields.items():
        if value.strip():
            assert after.fields[name] == value
    changed = {k: v for k, v in after.fields.items() if before.fields.get(k) != v}
    assert changed == (step.data.get("added") or {})
    assert all(found[k] == v for k, v in changed.items())
    assert step.outcome == ("added" if changed else "nothing")


def test_a_failed_enrichment_changes_nothing_and_says_so() -> None:
    before = prospect(email="cto@bigco.test")
    after, step = enrich(before, Enriched("enrich.acme.test (HTTP)", problem="it answered 500"))
    assert after == before
    assert step.detail == (
        "enrichment from enrich.acme.test (HTTP) failed: it answered 500; routed without it"
    )
