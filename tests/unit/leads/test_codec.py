from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from leadrail.leads.codec import lead_from_data, lead_to_data
from leadrail.leads.model import Address, Customer, Lead, Phone, Vehicle

text = st.text(max_size=30)


@given(
    first=text,
    comments=text,
    street=st.lists(text, max_size=3),
    utm=st.lists(st.tuples(text, text), max_size=3),
    year=text,
)
def test_a_lead_survives_the_round_trip_through_json(
    first: str, comments: str, street: list[str], utm: list[tuple[str, str]], year: str
) -> None:
    lead = Lead(
        id="L1", created_at=datetime(2026, 11, 30, 14, tzinfo=UTC), category="Service",
        customer=Customer(first_name=first, email="a@b.test",
                          phones=(Phone("+1 555 0100", "cellphone"),),
                          address=Address(street=tuple(street), city="Austin")),
        vehicle=Vehicle(year=year, make="Ford"), comments=comments, utm=tuple(utm),
    )  # fmt: skip
    assert lead_from_data(json.loads(json.dumps(lead_to_data(lead)))) == lead
