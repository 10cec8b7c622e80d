"""Every Prometheus metric of this process, in one place: any layer that counts something
imports its object from here (the live hub: ``LIVE_CONNECTIONS``, ``ALERT_SECONDS``).

Counters and histograms are per process (Prometheus sums them over the targets it scrapes).
With ``leadrail serve --workers N`` one port is answered by N processes: ``serve`` then
sets ``PROMETHEUS_MULTIPROC_DIR`` so ``/metrics`` reports all of them (``registry()``).
What lives in the database (outbox depth, deliveries, chats) is read when scraped and is
the same on every process: take ``max``, not ``sum``, over servers.

Nothing here holds a secret: labels are router slugs, sources, kinds, statuses, HTTP methods
and route templates (``/password/reset/{token}``, never the token)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from leadrail.app.ops import OpsCounts

DECISIONS = Counter(
    "leadrail_decisions",
    "Routing decisions recorded, by router and source (api, click, booking, lead, live).",
    ["router", "source"],
)
REQUEST_SECONDS = Histogram(
    "leadrail_request_seconds",
    "Time to answer an HTTP request, by method and route template (streams: until closed).",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
LIVE_CONNECTIONS = Gauge(
    "leadrail_live_connections",
    "Open live connections on this process, by kind (visitor stream, rep console).",
    ["kind"],
    multiprocess_mode="livesum",
)
ALERT_SECONDS = Histogram(
    "leadrail_live_alert_seconds",
    "Alert SLA: from a visitor's chat request to the first rep alert frame sent.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class DatabaseCollector(Collector):
    """The database's figures, read once per scrape."""

    def __init__(self, counts: Callable[[], OpsCounts]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.counts()
        jobs = GaugeMetricFamily(
            "leadrail_outbox_jobs",
            "Outbox jobs not done, by kind and status (pending+running: the depth; "
            "failed: refused for good; waiting: past the retry budget).",
            labels=["kind", "status"],
        )
        for (kind, status), n in sorted(now.outbox.items()):
            jobs.add_metric([kind, status], n)
        yield jobs
        retrying = GaugeMetricFamily(
            "leadrail_outbox_retrying_jobs",
            "Pending outbox jobs that failed at least once, by kind.",
            labels=["kind"],
        )
        for kind, n in sorted(now.outbox_retrying.items()):
            retrying.add_metric([kind], n)
        yield retrying
        deliveries = GaugeMetricFamily(
            "leadrail_deliveries", "Form lead deliveries by status.", labels=["status"]
        )
        for status, n in sorted(now.deliveries.items()):
            deliveries.add_metric([status], n)
        yield deliveries
        chats = GaugeMetricFamily(
            "leadrail_live_chats", "Live chats waiting for a rep or active.", labels=["status"]
        )
        for status, n in sorted(now.chats.items()):
            chats.add_metric([status], n)
        yield chats


def registry(counts: Callable[[], OpsCounts]) -> CollectorRegistry:
    """What ``/metrics`` reports: this process (or all of ``serve --workers N``) and the
    database's figures."""
    reg = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(reg)  # type: ignore[no-untyped-call]
    else:
        reg.register(_Process())
    reg.register(DatabaseCollector(counts))
    return reg


class _Process(Collector):
    """The default registry (this process's metrics) inside a per-scrape registry."""

    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from REGISTRY.collect()
