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
    sqlite_busy_timeout_ms: int = 15000
    demo_file: str = "examples/demo.yaml"
    public_base_url: str = "http://127.0.0.1:8000"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
