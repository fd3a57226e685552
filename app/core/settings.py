"""All configuration, read once from the environment (and `.env`).

Names are the ones README.md lists under "Configuration"; `RUNWAYML_API_SECRET` and
`RUNWAYML_BASE_URL` are the names the official SDK reads, so an operator can reuse an existing
environment.
"""

from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_METRICS_TOKEN_CHARS = 16  # a bearer anyone on the network may try: too short is guessable


def default_data_dir() -> Path:
    """The user's data directory (platformdirs' convention), so history does not depend on the
    directory the console happened to be started from. CONSOLE_DATA_DIR wins; Docker sets /data."""
    return user_data_path("runway-console", appauthor=False)


class Settings(BaseSettings):
    """Every knob of the console; defaults start it on the simulator with nothing configured."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    runwayml_api_secret: SecretStr | None = Field(default=None, alias="RUNWAYML_API_SECRET")
    runwayml_base_url: str = Field(default="", alias="RUNWAYML_BASE_URL")
    data_dir: Path = Field(default_factory=lambda: default_data_dir(), alias="CONSOLE_DATA_DIR")
    database_url: str = Field(default="", alias="CONSOLE_DATABASE_URL")
    password: SecretStr | None = Field(default=None, alias="CONSOLE_PASSWORD")
    allow_anonymous: bool = Field(default=False, alias="CONSOLE_ALLOW_ANONYMOUS")
    allowed_upstreams: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="CONSOLE_ALLOWED_UPSTREAMS"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="CONSOLE_TRUSTED_PROXIES"
    )
    allow_private_upstreams: bool = Field(default=False, alias="CONSOLE_ALLOW_PRIVATE_UPSTREAMS")
    max_upload_mb: float = Field(default=20.0, gt=0, alias="CONSOLE_MAX_UPLOAD_MB")
    # What one key, member, demo session or the operator may keep of new frames per UTC day.
    frame_mb_per_day: float = Field(default=500.0, gt=0, alias="CONSOLE_FRAME_MB_PER_DAY")
    # What every scope at one client address keeps together per UTC day (a new demo cookie or
    # a made-up key is a new scope, not a new address); unset, four scopes' allowances.
    frame_mb_per_address_day: float | None = Field(
        default=None, gt=0, alias="CONSOLE_FRAME_MB_PER_ADDRESS_DAY"
    )
    poll_interval_s: float = Field(default=5.0, ge=0, alias="CONSOLE_POLL_INTERVAL_S")
    simulator_poll_interval_s: float = Field(
        default=1.0, ge=0, alias="CONSOLE_SIMULATOR_POLL_INTERVAL_S"
    )
    secret_key: SecretStr | None = Field(default=None, alias="CONSOLE_SECRET_KEY")
    public_url: str = Field(default="", alias="CONSOLE_PUBLIC_URL")
    simulator_speed: float = Field(default=1.0, gt=0, alias="CONSOLE_SIMULATOR_SPEED")
    connect_timeout_s: float = Field(default=5.0, gt=0, alias="CONSOLE_CONNECT_TIMEOUT_S")
    read_timeout_s: float = Field(default=30.0, gt=0, alias="CONSOLE_READ_TIMEOUT_S")
    access_log: bool = Field(default=True, alias="CONSOLE_ACCESS_LOG")
    # The gateway forwards a bearer that is not a member token as the caller's own Runway key.
    gateway_passthrough: bool = Field(default=True, alias="CONSOLE_GATEWAY_PASSTHROUGH")
    object_store: str = Field(default="", alias="CONSOLE_OBJECT_STORE")
    video_lease_s: float = Field(default=60.0, gt=0, alias="CONSOLE_VIDEO_LEASE_S")
    # The standard AWS variables, read here so tests and `.env` can set them like the rest.
    aws_endpoint_url: str = Field(default="", alias="AWS_ENDPOINT_URL")
    aws_access_key_id: str = Field(default="", alias="AWS_ACCESS_KEY_ID")
    aws_secret_access_key: SecretStr | None = Field(default=None, alias="AWS_SECRET_ACCESS_KEY")
    aws_region: str = Field(default="", alias="AWS_REGION")
    # The demo page (/demo): fractions of a day are allowed, so a rehearsal can see a link expire.
    share_days: float = Field(default=7.0, gt=0, alias="CONSOLE_SHARE_DAYS")
    demo_credits: int = Field(default=500, ge=0, alias="CONSOLE_DEMO_CREDITS")
    # Caps every demo session shares per UTC day (a new cookie starts no new allowance there):
    # unset, one session's allowance per client address and five for the whole console.
    demo_address_credits: int | None = Field(
        default=None, ge=0, alias="CONSOLE_DEMO_ADDRESS_CREDITS"
    )
    demo_console_credits: int | None = Field(
        default=None, ge=0, alias="CONSOLE_DEMO_CONSOLE_CREDITS"
    )
    brand_name: str = Field(default="", max_length=80, alias="CONSOLE_BRAND_NAME")
    demo_home: bool = Field(default=False, alias="CONSOLE_DEMO_HOME")
    # Prometheus scrapes /metrics with this bearer token (app/web/metrics.py); the admin may too.
    metrics_token: SecretStr | None = Field(default=None, alias="CONSOLE_METRICS_TOKEN")
    # `json`: one JSON object a line for a log shipper (app/log_format.py); `text`: uvicorn's.
    log_format: Literal["text", "json"] = Field(default="text", alias="CONSOLE_LOG_FORMAT")

    @field_validator("allowed_upstreams", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """Accept a comma-separated string as well as JSON, since env vars are mostly the former."""
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _no_empty_token(cls, value: object) -> object:
        """An empty CONSOLE_METRICS_TOKEN means none: it must never match an empty bearer."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def frame_bytes_per_day(self) -> int:
        return int(self.frame_mb_per_day * 1024 * 1024)

    @property
    def frame_bytes_per_address_day(self) -> int:
        per_address = self.frame_mb_per_address_day or 4 * self.frame_mb_per_day
        return int(per_address * 1024 * 1024)

    def s3_env(self) -> dict[str, str]:
        """The AWS variables for the object store's S3 client."""
        secret = self.aws_secret_access_key
        return {
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "AWS_ACCESS_KEY_ID": self.aws_access_key_id,
            "AWS_SECRET_ACCESS_KEY": secret.get_secret_value() if secret else "",
            "AWS_REGION": self.aws_region,
        }

    def secret_values(self) -> list[str]:
        """Every configured secret, so that a log line can mask each one (app/log_format.py)."""
        held = (
            self.runwayml_api_secret,
            self.password,
            self.secret_key,
            self.metrics_token,
            self.aws_secret_access_key,
        )
        return [value.get_secret_value() for value in held if value is not None]

    @property
    def resolved_database_url(self) -> str:
        """SQLite in the data dir unless a database URL is configured."""
        return self.database_url or f"sqlite:///{self.data_dir / 'console.db'}"

    def exposure_warning(self, host: str) -> str | None:
        """A loud start-up note when the console listens beyond this machine with no password:
        everyone who can reach it shares one anonymous history."""
        loopback = host in ("localhost", "::1") or host.startswith("127.")
        if loopback or self.password:
            return None
        bar = "!" * 78
        return (
            f"{bar}\nWARNING: listening on {host} with no password. Anyone who can reach this "
            "address can use the console,\nand everyone without a key shares one history. "
            f"Set CONSOLE_PASSWORD, or serve on --host 127.0.0.1.\n{bar}"
        )

    def startup_problem(self) -> str | None:
        """Why the console must not start, or None.

        An operator key on a console anyone can open is a credit-burning open relay, so it
        needs a password or an explicit, deliberate opt-out.
        """
        if self.runwayml_api_secret and not self.password and not self.allow_anonymous:
            return (
                "RUNWAYML_API_SECRET is set, so the console would spend the operator's credits "
                "for anyone who opens it. Set CONSOLE_PASSWORD, or CONSOLE_ALLOW_ANONYMOUS=true "
                "if that is really what you want."
            )
        token = self.metrics_token.get_secret_value() if self.metrics_token else None
        if token is not None and len(token) < MIN_METRICS_TOKEN_CHARS:
            return (
                f"CONSOLE_METRICS_TOKEN has {len(token)} characters; use at least "
                f"{MIN_METRICS_TOKEN_CHARS} random ones (e.g. `openssl rand -hex 32`)."
            )
        if self.database_url.startswith("postgresql") and not self.secret_key:
            return (
                "CONSOLE_DATABASE_URL is PostgreSQL, which several replicas may share, but "
                "CONSOLE_SECRET_KEY is not set: each replica would invent its own secret, so "
                "history, sessions and video links made on one would be invalid on the others. "
                "Set the same CONSOLE_SECRET_KEY on every replica."
            )
        return None
