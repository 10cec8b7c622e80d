"""One reason, one order: a user who cannot take a prospect is passed over for the same
reason whether they are the CRM owner, a pool member, the route's one user or one of a
broadcast group (issue 12: ownership said "on vacation" where the pool said "offline")."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from leadrail.routing.engine import route
from leadrail.routing.model import Destination, OwnershipSpec, UserInfo, Vacation
from tests.unit.builders import NOW, ctx, pool, prospect, record, router, to_pool, user, users

ANA, BO = "ana@acme.test", "bo@acme.test"
TODAY = NOW.date()
HOLIDAY = Vacation(TODAY - timedelta(days=1), TODAY + timedelta(days=1))
PAST = Vacation(TODAY - timedelta(days=9), TODAY - timedelta(days=5))
PROSPECT = prospect(email="cto@bigco.test")
NOBODY = Destination("user", users=())


def reasons(ana: UserInfo) -> dict[str, str]:
    """Why ana is passed over in each part of the engine that can pass her over."""
    people = users(ana, user(BO, online=True))
    owned = router(default=NOBODY, ownership=OwnershipSpec(enabled=True))
    crm = (record("contact", "cto@bigco.test", "OWN-1"),)
    owner = route(owned, PROSPECT, ctx(people, crm=crm), NOW).trace[0].detail
    pooled = route(router(default=to_pool(pool(ANA, BO))), PROSPECT, ctx(people), NOW)
    single = route(router(default=Destination("user", users=(ANA,))), PROSPECT, ctx(people), NOW)
    broadcast = router(default=Destination("broadcast", users=(BO, ANA)))
    group = route(broadcast, PROSPECT, ctx(people), NOW)
    return {
        "owner": owner.removeprefix("owner ana@acme.test (OWN-1) of contact cto@bigco.test is "),
        "pool": pooled.trace[-1].detail.partition("skipped ana@acme.test (")[2].rstrip(")"),
        "user": single.trace[-2].detail.removeprefix("user ana@acme.test: is "),
        "broadcast": group.trace[-1].detail.partition("skipped ana@acme.test (")[2].rstrip(")"),
    }


def test_offline_and_on_vacation_gives_one_reason_everywhere() -> None:
    ana = user(ANA, crm_owner_id="OWN-1", online=False, vacations=(HOLIDAY,))
    assert reasons(ana) == dict.fromkeys(("owner", "pool", "user", "broadcast"), "on vacation")


@given(
    active=st.booleans(),
    online=st.sampled_from([None, True, False]),
    vacations=st.sampled_from([(), (HOLIDAY,), (PAST,), (PAST, HOLIDAY)]),
)
def test_every_part_of_the_engine_gives_the_same_reason(
    active: bool, online: bool | None, vacations: tuple[Vacation, ...]
) -> None:
    ana = user(ANA, crm_owner_id="OWN-1", active=active, online=online, vacations=vacations)
    if active and online is not False and HOLIDAY not in vacations:
        return  # available: nobody passes her over
    found = reasons(ana)
    assert len(set(found.values())) == 1, found
    assert found["owner"] in ("inactive", "on vacation", "offline")
