"""Settings from the environment (prefix ``LEADRAIL_``). Read only when asked: nothing at import."""

from __future__ import annotations

from pydantic import Field
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
    public_base_url: str = "http://127.0.0.1:8000"

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
    caldav_cache_seconds: float = 60.0
    public_rate_limit: str = "60/minute"
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
    live_event_rate: str = Field(
        default="120/minute", description="Visitor events per visitor (and per address x10)."
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
