"""Benchmark of the built-in CRM at scale: a CSV import of a million contacts, 200,000
companies, then ownership lookups (median and p99, database included)."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from leadrail.app.crm_import import import_csv
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "1000000"))
COMPANIES = CONTACTS // 5


def write_files(tmp: Path) -> tuple[Path, Path]:
    contacts, companies = tmp / "contacts.csv", tmp / "companies.csv"
    with contacts.open("w") as fh:
        fh.write("email,owner,name,company\n")
        for i in range(CONTACTS):
            fh.write(
                f"person{i}@company{i % COMPANIES}.test,OWN-{i % 50},Person {i},"
                f"Company {i % COMPANIES}\n"
            )
    with companies.open("w") as fh:
        fh.write("domain,name,owner,tier\n")
        for i in range(COMPANIES):
            fh.write(f"company{i}.test,Company {i},OWN-{i % 50},{1 + i % 3}\n")
    return contacts, companies


def measure(url: str) -> dict[str, float]:
    c = bootstrap(Settings(database_url=url, worker=False), run_migrations=True)
    with tempfile.TemporaryDirectory() as d:
        contacts, companies = write_files(Path(d))
        t0 = time.perf_counter()
        with contacts.open() as fh:
            report = import_csv(c.crm, fh, "contacts", {})
        contacts_s = time.perf_counter() - t0
        assert report.imported == CONTACTS, report.errors[:3]
        t0 = time.perf_counter()
        with companies.open() as fh:
            import_csv(c.crm, fh, "companies", {})
        companies_s = time.perf_counter() - t0
    rng = random.Random(3)
    samples = []
    for _ in range(3000):
        i = rng.randrange(CONTACTS)
        email, domain = f"person{i}@company{i % COMPANIES}.test", f"company{i % COMPANIES}.test"
        t0 = time.perf_counter()
        found = c.routing.crm_records(email, domain)
        samples.append((time.perf_counter() - t0) * 1000)
        assert len(found) == 2
    samples.sort()
    c.close()
    return {
        "contacts_s": contacts_s,
        "companies_s": companies_s,
        "lookup_median_ms": statistics.median(samples),
        "lookup_p99_ms": samples[int(0.99 * len(samples))],
    }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        print(measure(f"sqlite:///{d}/crm.db"))
