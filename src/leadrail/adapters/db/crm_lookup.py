"""Domains for company matching: a subdomain of a company's domain belongs to it."""

from __future__ import annotations


def parent_domains(domain: str) -> list[str]:
    """'eu.sales.bigco.test' -> itself, 'sales.bigco.test', 'bigco.test' (a subdomain of a
    company's domain belongs to the company)."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]
