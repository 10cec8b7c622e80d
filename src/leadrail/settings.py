"""Settings from the environment (prefix ``LEADRAIL_``). Read only when asked: nothing at import."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADRAIL_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./leadrail.db",
        description="sqlite:///path.db (embedded default) or postgresql+psycopg://user@host/db",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    db_pool_size: int = 10
    db_pool_timeout_seconds: float = Field(
        default=10.0,
        description="A request that waits this long for a database connection answers 503.",
    )
    sqlite_busy_timeout_ms: int = 15000
    public_base_url: str | None = Field(
        default=None,
        description="Where prospects and reps reach this server (links in e-mails, invites, "
        "ADF, the link builder). Unset: http://HOST:PORT of `leadrail serve` (a warning).",
    )

    secret_key: str | None = Field(
        default=None,
        description="Signs cancel/reschedule links. Unset: a random key is made once and "
        "kept in the database.",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_tls: str = "none"  # none | starttls | implicit
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    mail_from: str = "leadrail@localhost"
    worker: bool = Field(default=True, description="Run the delivery worker in the server.")
    worker_interval_seconds: float = 1.0
    worker_lease_seconds: float = Field(
        default=300.0, description="A job claimed by a worker that died runs again after this."
    )
    worker_wait_retry_seconds: float = Field(
        default=3600.0,
        description="Past its retry budget, a job a server could still take (a delivery "
        "waiting for the server) is tried again this often.",
    )
    geo_mmdb_path: str | None = Field(
        default=None, description="A GeoLite2-City or DB-IP City Lite .mmdb for IP locations."
    )
    caldav_cache_seconds: float = Field(
        default=60.0,
        description="How long a rep's connected calendar's busy time (CalDAV, Google, "
        "Microsoft 365) is kept before it is read again; a booking drops it at once.",
    )
    google_client_id: str | None = Field(default=None, description="Google OAuth client id.")
    google_client_secret: str | None = Field(default=None, repr=False)
    google_auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_api_url: str = "https://www.googleapis.com/calendar/v3"
    microsoft_client_id: str | None = Field(default=None, description="Entra app (client) id.")
    microsoft_client_secret: str | None = Field(default=None, repr=False)
    microsoft_tenant: str = Field(
        default="organizations",
        description="The Entra tenant id or domain, or organizations / common.",
    )
    microsoft_login_url: str = "https://login.microsoftonline.com"
    microsoft_api_url: str = "https://graph.microsoft.com/v1.0"
    calendar_api_retries: int = Field(
        default=3, ge=0, le=10, description="Retries of a calendar API call after 429/5xx."
    )
    calendar_retry_after_cap_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Longest Retry-After a calendar API call waits for; a longer one fails "
        "the call (the busy time then counts the rep as busy, an outbox job retries later).",
    )
    outbound_allow_hosts: str = Field(
        default="",
        description="Hosts (name or name:port, comma-separated) that user-typed URLs (CalDAV, "
        "webhooks, the CRM) may reach although they resolve to a loopback, private or "
        "link-local address: an on-premise CRM, a test server.",
    )
    public_rate_limit: str = "60/minute"
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is "
        "believed (the right-most address not in the list is the client). Default: none.",
    )
    presence_grace_seconds: float = Field(
        default=20.0, description="A rep whose last console socket closed stays online this long."
    )
    live_silence_seconds: float = Field(
        default=45.0, description="A console socket that sends nothing this long is closed."
    )
    live_ping_seconds: float = Field(default=15.0, description="SSE keep-alive comment interval.")
    live_queue_size: int = Field(default=256, description="Messages buffered per connection.")
    live_streams_per_visitor: int = 5
    live_connections_per_ip: int = 200
    live_sockets_per_rep: int = 10
    live_visitor_idle_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A visitor with no open stream and no event this long has left the "
        "consoles (and is not listed after a restart).",
    )
    live_event_rate: str = Field(
        default="120/minute", description="Visitor events per visitor (and per address x10)."
    )

    redis_url: str | None = Field(
        default=None,
        description="redis://host:6379/0: live routing (visitors, reps, alerts, presence), rate "
        "limits and API-token revocation shared by every process. Unset: each process keeps "
        "its own.",
    )
    redis_prefix: str = Field(
        default="leadrail", description="Prefix of every Redis key and channel leadrail uses."
    )
    log_format: str = Field(
        default="text",
        description="text, or json: one JSON object per line with a request id (and one "
        "access line per request).",
    )
    metrics_token: str | None = Field(
        default=None,
        repr=False,
        description="When set, GET /metrics needs Authorization: Bearer <this>. Unset: open.",
    )
    shutdown_timeout_seconds: int = Field(
        default=30,
        description="On SIGTERM, in-flight requests get this long to finish before the "
        "server closes what is left.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or a CIDR network (e.g. 10.0.0.0/8)"
                ) from None
        return ",".join(items)

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.strip().lower() not in ("text", "json"):
            raise ValueError(f"{value!r}: use text or json")
        return value.strip().lower()

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:port/db, rediss://host:port/db or unix://path")
        return value

    @property
    def base_url(self) -> str:
        """``public_base_url``, or the address ``leadrail serve`` listens on (never a Host
        header: links in e-mails must not come from what a client sent)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = self.host if self.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
