"""The decision's trace: the sentences of rules that did not match are written when read."""

from __future__ import annotations

import copy
import operator
import pickle
from dataclasses import replace

from leadrail.routing.engine import route
from leadrail.routing.model import Decision, Destination
from leadrail.routing.trace import Trace, TraceStep
from tests.unit.builders import LISTS, NOW, ctx, leaf, prospect, router, rule, users

ANA = "ana@acme.test"
TO_ANA = Destination("user", users=(ANA,))
A, B, C = (TraceStep("rule", "no_match", text, {"rule": text}) for text in "abc")


def _decision() -> Decision:
    rules = [rule(f"r{i}", leaf("domain", "in_list", "target-accounts"), TO_ANA) for i in range(3)]
    spec = router(*rules, rule("vip", leaf("email", "in_list", "vip"), TO_ANA))
    return route(spec, prospect(email="cto@startup.test"), ctx(users(ANA)), NOW)


def test_a_trace_reads_like_the_tuple_of_its_steps() -> None:
    calls: list[int] = []

    def later() -> list[TraceStep]:
        calls.append(1)
        return [B]

    trace = Trace([A, later, C])
    assert calls == []
    assert (len(trace), trace[0], trace[-1], trace[1:]) == (3, A, C, (B, C))
    assert list(trace) == [A, B, C]
    assert trace == (A, B, C) == Trace([A, B, C])
    assert operator.eq((A, B, C), trace)  # the tuple defers to the trace
    assert trace != (A, B)
    assert repr(trace) == repr((A, B, C))
    assert calls == [1]  # written once


def test_the_rules_that_did_not_match_read_as_before() -> None:
    decision = _decision()
    assert [step.detail for step in decision.trace][:4] == [
        "rule 'r0' did not match: domain 'startup.test' is not in list 'target-accounts'",
        "rule 'r1' did not match: domain 'startup.test' is not in list 'target-accounts'",
        "rule 'r2' did not match: domain 'startup.test' is not in list 'target-accounts'",
        "rule 'vip' matched: email 'cto@startup.test' is in list 'vip'",
    ]
    assert [dict(step.data) for step in decision.trace][:3] == [{"rule": f"r{i}"} for i in range(3)]


def test_sentences_written_late_use_the_prospect_and_lists_as_routed() -> None:
    lists = dict(LISTS)
    p = prospect(email="cto@startup.test")
    fields = dict(p.fields)
    p = replace(p, fields=fields)
    spec = router(rule("r0", leaf("domain", "in_list", "target-accounts"), TO_ANA))
    decision = route(spec, p, replace(ctx(users(ANA)), lists=lists), NOW)
    lists["target-accounts"] = frozenset({"startup.test"})
    fields["domain"] = "bigco.test"
    assert decision.trace[0].detail == (
        "rule 'r0' did not match: domain 'startup.test' is not in list 'target-accounts'"
    )


def test_decisions_pickle_and_copy_with_their_trace_written() -> None:
    decision = _decision()
    for other in (pickle.loads(pickle.dumps(decision)), copy.deepcopy(decision)):
        assert other == decision
        assert other.trace == decision.trace


def test_router_checks_follow_its_rules() -> None:
    spec = router(rule("r0", leaf("country", "equals", "fr"), TO_ANA))
    assert len(spec.checks) == 1
    more = replace(spec, rules=(*spec.rules, rule("r1", leaf("country", "equals", "us"), TO_ANA)))
    assert len(more.checks) == 2
    assert more.checks[1]({"country": "US"}, {})
    assert replace(more) == more
