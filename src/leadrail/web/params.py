"""Typed path and query parameters shared by the routes. Every integer a client can send is
bounded to what the database stores (64 bits): a larger one is a 422 naming the parameter,
never an overflow in the driver (a test walks every route to hold this)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from leadrail.web.edge import INT64_MAX

RecordId = Annotated[int, Path(ge=1, le=INT64_MAX, description="A record's id.")]
After = Annotated[
    int, Query(ge=0, le=INT64_MAX, description="Only records with a larger id (paging).")
]
