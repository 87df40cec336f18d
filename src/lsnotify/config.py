"""Settings: one frozen object, built once from flags, ``LSNOTIFY_*`` variables, an optional TOML file and defaults.

Each field of ``Settings`` is a setting. Its flag is ``--field-name``, its variable ``LSNOTIFY_FIELD_NAME``, its TOML
key ``field_name``; a flag beats a variable, which beats the file, which beats the default. The CLI builds its options
from these fields, so the three spellings cannot drift apart. A wrong value is a ``ConfigError`` with one sentence.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "LSNOTIFY_"
SECRET_FILE_SUFFIX = "_file"
"""Each secret setting ``x`` has a setting ``x_file``: a file that holds it (a Docker or systemd secret)."""

log = logging.getLogger("lsnotify.config")

DEFAULT_SMS_REGIONS = frozenset(
    {"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2"}
)

DEFAULT_SMS_COUNTRIES = frozenset({"AU", "CA", "DE", "FR", "GB", "GG", "IE", "IM", "JE", "JP", "NZ", "SG", "US"})
"""Where SMS may go unless the operator says otherwise: a few countries of the SMS regions' markets (GG, IM and JE
share the UK's +44 numbering), not the whole world, so that a leaked key cannot run up a bill on premium-rate
numbers (SMS pumping)."""
EVERY_COUNTRY = "*"

# The longest alarm evaluation range: PutAlarm's most evaluation periods (288) plus the range's 2 extra periods,
# of 300 seconds each. config sits below domain in the import layers, so the figures are restated; a unit test
# holds them equal to domain.metrics.LONGEST_EVALUATION_RANGE_SECONDS.
MIN_METRIC_RETENTION = (288 + 2) * 300.0


class ConfigError(ValueError):
    """A setting has a value lsnotify cannot use; the message names it."""


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "Address to listen on.")
    port: int = _setting(8080, "Port to listen on.")
    data_dir: Path = _setting(Path(".lsnotify"), "Directory for the SQLite database, secret key and credentials.")
    public_url: str = _setting("", "Base URL of links in emails (default: http://HOST:PORT).")
    database_url: str = _setting("", "postgresql://… to share one PostgreSQL; empty: SQLite in the data directory.")
    secret_key: str = _setting(
        "", "Fernet key that encrypts stored secrets (default: DATA_DIR/secret.key, created on first use).", secret=True
    )
    log_level: str = _setting("info", "debug, info, warning or error.")
    access_log: bool = _setting(True, "Log one line per API request.")
    sms_regions: frozenset[str] = _setting(
        DEFAULT_SMS_REGIONS, "Comma-separated regions where SMS contact methods may be created; empty disables SMS."
    )
    sms_countries: frozenset[str] = _setting(
        DEFAULT_SMS_COUNTRIES,
        "Comma-separated ISO country codes SMS may go to; * allows every country, empty none.",
    )
    verification_ttl: float = _setting(86400.0, "Seconds an email verification link stays valid.")
    signature_max_skew: float = _setting(900.0, "Seconds a signed request's X-Amz-Date may differ from the clock.")
    key_cache_ttl: float = _setting(2.0, "Seconds an access key stays cached; a deactivated key stops within this.")
    max_body_bytes: int = _setting(1024 * 1024, "Largest API request body accepted, in bytes.")
    # -- alarms
    evaluate_alarms: bool = _setting(True, "Evaluate alarms inside serve (off when `lsnotify evaluator` runs apart).")
    alarm_evaluation_interval: float = _setting(300.0, "Seconds between alarm evaluations (at least 1).")
    metric_retention: float = _setting(
        14 * 86400.0, "Seconds in the past a datapoint is accepted, and alarm state changes are kept; at least 87000."
    )
    minute_metric_retention: float = _setting(15 * 86400.0, "Seconds 1-minute metric points are kept (15 days).")
    five_minute_metric_retention: float = _setting(
        63 * 86400.0, "Seconds 5-minute metric points are kept (63 days); at least 87000."
    )
    hour_metric_retention: float = _setting(455 * 86400.0, "Seconds 1-hour metric points are kept (455 days).")

    # -- delivery: providers, the outbox worker, the dev inbox --------------------------------------------
    email_provider: str = _setting("capture", "capture (the dev inbox) or smtp.")
    email_from: str = _setting("lsnotify <no-reply@localhost>", "From address of every email.")
    smtp_host: str = _setting("", "SMTP server host (email_provider smtp).")
    smtp_port: int = _setting(0, "SMTP server port; 0: 465 with --smtp-tls, 587 with --smtp-starttls, else 25.")
    smtp_starttls: bool = _setting(False, "Upgrade the SMTP connection with STARTTLS (required, not opportunistic).")
    smtp_tls: bool = _setting(False, "Connect to the SMTP server over implicit TLS (SMTPS).")
    smtp_username: str = _setting("", "SMTP login; empty: no authentication.")
    smtp_password: str = _setting("", "SMTP password.", secret=True)
    smtp_ca_file: str = _setting("", "PEM file of CA certificates to trust for SMTP TLS (default: the system's).")
    smtp_timeout: float = _setting(30.0, "Seconds an SMTP connection or command may take.")
    sms_provider: str = _setting("capture", "capture (the dev inbox), sns or webhook.")
    sns_endpoint_url: str = _setting("", "SNS-compatible endpoint for sms_provider sns (default: AWS's).")
    sns_region: str = _setting("us-east-1", "Region of the SNS endpoint.")
    sns_access_key_id: str = _setting("", "Access key for SNS (default: the AWS credential chain).")
    sns_secret_access_key: str = _setting("", "Secret key for SNS.", secret=True)
    webhook_url: str = _setting("", "URL that sms_provider webhook POSTs each SMS to, as signed JSON.")
    webhook_secret: str = _setting("", "HMAC-SHA256 key signing each webhook request.", secret=True)
    sms_timeout: float = _setting(10.0, "Seconds a request to the SMS provider (SNS or webhook) may take.")
    run_worker: bool = _setting(True, "Deliver the outbox inside `serve` (turn off when `lsnotify worker` runs).")
    worker_poll_interval: float = _setting(0.5, "Seconds between looks at the outbox when it is idle.")
    worker_batch_size: int = _setting(
        64, "Most messages a worker holds claimed at once (it sends --worker-concurrency of them)."
    )
    worker_concurrency: int = _setting(16, "Most messages being sent at once (and SMTP connections kept open).")
    worker_lease_timeout: float = _setting(
        300.0, "Seconds before a claimed but unfinished message is claimed again (a worker died meanwhile)."
    )
    delivery_max_attempts: int = _setting(10, "Attempts before a message is dead-lettered.")
    delivery_max_age: float = _setting(86400.0, "Seconds after which an undelivered message is dead-lettered.")
    retry_base_delay: float = _setting(5.0, "Seconds before the first retry; each later one waits twice as long.")
    retry_max_delay: float = _setting(900.0, "Longest wait between two attempts, in seconds.")
    outbox_retention: float = _setting(7 * 86400.0, "Seconds sent messages stay listed in the outbox.")
    admin_token: str = _setting(
        "", "Bearer token for /_lsnotify/* (required when the host is not a loopback address).", secret=True
    )

    # -- postgres: the connection pool, timeouts and retries of the PostgreSQL store ---------------------
    database_pool_size: int = _setting(10, "Most connections each process keeps open to PostgreSQL.")
    database_connect_timeout: float = _setting(
        10.0, "Seconds to connect to PostgreSQL, or to wait for a free pooled connection."
    )
    database_statement_timeout: float = _setting(
        30.0, "Seconds one SQL statement may run before PostgreSQL cancels it (statement_timeout)."
    )
    database_idle_transaction_timeout: float = _setting(
        60.0, "Seconds a transaction may sit idle before PostgreSQL ends its session (a stuck client)."
    )
    database_retries: int = _setting(
        6, "Times a transaction is retried after a transient error: serialization failure, deadlock, lost connection."
    )

    # -- exposure: connections, and secrets read from files ---------------------------------------------------------
    body_timeout: float = _setting(
        10.0, "Seconds an API request body may take to arrive in full; a slower one gets HTTP 408 and is closed."
    )
    header_timeout: float = _setting(
        10.0, "Seconds a request line and headers may take to arrive in full; a slower one gets HTTP 408 and is closed."
    )
    keep_alive_timeout: int = _setting(5, "Seconds an idle keep-alive connection stays open.")
    max_connections: int = _setting(
        0,
        "Most connections and requests at once; beyond it each new request gets HTTP 503 and is closed. 0: the "
        "process's open-file limit less what the store and outbound connections need (at most 4096).",
    )
    secret_key_file: str = _setting("", "File holding secret_key (safer than a flag, which `ps` shows).")
    smtp_password_file: str = _setting("", "File holding smtp_password.")
    sns_secret_access_key_file: str = _setting("", "File holding sns_secret_access_key.")
    webhook_secret_file: str = _setting("", "File holding webhook_secret.")
    admin_token_file: str = _setting("", "File holding admin_token.")
    # -- metric ingestion: CloudWatch PutMetricData and OTLP datums to Lightsail metrics
    metric_names: tuple[tuple[str, str], ...] = _setting(
        (),
        "Metric names translated to Lightsail metrics, as name=LightsailName pairs (comma-separated; in TOML a "
        "[metric_names] table), e.g. cpu_usage_active=CPUUtilization.",
    )
    # -- limits: what one account or access key may make lsnotify send, store or answer --------------------------
    verification_interval: float = _setting(
        60.0, "Seconds between two verification emails of one account and region's Email contact method; 0: no wait."
    )
    verifications_per_day: int = _setting(
        10, "Most verification emails of one account and region's Email contact method per 24 hours; 0: no limit."
    )
    emails_per_hour: int = _setting(
        1000, "Most emails sent per account per hour; more are suppressed (kept in the outbox, not sent); 0: no limit."
    )
    sms_per_hour: int = _setting(
        100, "Most SMS sent per account per hour; more are suppressed (kept in the outbox, not sent); 0: no limit."
    )
    test_alarm_interval: float = _setting(60.0, "Seconds between two TestAlarm calls on one alarm; 0: no wait.")
    max_resources: int = _setting(1000, "Most monitored resources per account, all regions together; 0: no limit.")
    max_alarms: int = _setting(1000, "Most alarms per account, all regions together; 0: no limit.")
    api_rate: float = _setting(
        0.0, "API requests per second each access key may make (a token bucket per process); 0: no limit."
    )
    api_burst: int = _setting(50, "Requests an access key may make at once, above --api-rate, before throttling.")
    # -- watching servers: scraping Prometheus node_exporter targets
    run_scraper: bool = _setting(True, "Scrape node_exporter targets inside serve (off when `lsnotify scraper` runs).")
    scrape_interval: float = _setting(60.0, "Seconds between two scrapes of a node_exporter target (at least 1).")
    scrape_timeout: float = _setting(10.0, "Seconds a scrape may take in all before it counts as failed.")
    scrape_concurrency: int = _setting(32, "Most node_exporter targets each process scrapes at once.")
    # -- processes: serve on every core
    workers: str = _setting(
        "1",
        "Processes `serve` runs on the one port: a number, or auto for one per CPU core (only the first delivers "
        "the outbox, evaluates alarms and scrapes).",
    )

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def setting_fields() -> list[dataclasses.Field[Any]]:
    return list(dataclasses.fields(Settings))


def secret_names() -> list[str]:
    """The settings that hold secrets."""
    return [setting.name for setting in setting_fields() if setting.metadata["secret"]]


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


_TYPES = typing.get_type_hints(Settings)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(name: str, value: Any) -> Any:
    """``value`` (a string from a flag or variable, or a TOML value) as the field's type."""
    kind = _TYPES[name]
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError("expected true or false")
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError("expected a whole number")
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError("expected a number")
            return float(value)
        if kind is Path:
            return Path(str(value)).expanduser()
        if kind == tuple[tuple[str, str], ...]:
            return _pairs(value)
        if kind == frozenset[str]:
            items = value if isinstance(value, list) else str(value).split(",")
            return frozenset(str(item).strip() for item in items if str(item).strip())
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} ({env_name(name)}): {value!r} is not valid: {exc}") from None


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """A TOML table, or ``a=b,c=d`` text, as sorted (name, value) pairs."""
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        items = []
        for part in str(value).split(","):
            if part.strip():
                name, equal, target = part.partition("=")
                if not equal:
                    raise ValueError(f"{part.strip()!r} is not name=value")
                items.append((name, target))
    pairs = {str(name).strip(): target.strip() for name, target in items if isinstance(target, str)}
    if len(pairs) != len(items) or not all(pairs) or not all(pairs.values()):
        raise ValueError("expected name=value pairs of non-empty strings")
    return tuple(sorted(pairs.items()))


def load_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Build the settings; ``flags`` maps field names to values (None where a flag was not given)."""
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(_read_toml(config_file))
    for name in _TYPES:
        if environ is not None and env_name(name) in environ:
            values[name] = environ[env_name(name)]
        if flags is not None and flags.get(name) is not None:
            values[name] = flags[name]
    _warn_of_secret_flags(flags or {})
    _read_secret_files(values)
    settings = Settings(**{name: _convert(name, value) for name, value in values.items()})
    _check(settings)
    return settings


def _warn_of_secret_flags(flags: Mapping[str, Any]) -> None:
    for name in secret_names():
        if flags.get(name):
            flag = "--" + name.replace("_", "-")
            log.warning(
                "%s was given on the command line, where any user of this machine can read it (ps); "
                "give it as %s or %s-file instead",
                flag,
                env_name(name),
                flag,
            )


def _read_secret_files(values: dict[str, Any]) -> None:
    """Put the content of each ``x_file`` given in ``values`` into ``x`` (without its final line break)."""
    for name in secret_names():
        file_name = name + SECRET_FILE_SUFFIX
        path = str(values.get(file_name) or "")
        if not path:
            continue
        if values.get(name):
            raise ConfigError(f"{name} and {file_name}: give one or the other, not both")
        try:
            text = Path(path).expanduser().read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigError(f"{file_name} ({env_name(file_name)}): cannot read {path}: {reason}") from None
        values[name] = text.removesuffix("\n").removesuffix("\r")
        if not values[name]:
            raise ConfigError(f"{file_name} ({env_name(file_name)}): {path} is empty")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML: {exc}") from None
    table = data.get("lsnotify", data)
    values = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in _TYPES:
            raise ConfigError(f"config file {path}: unknown setting {key!r}")
        values[name] = value
    return values


def _check(settings: Settings) -> None:
    if not 0 < settings.port < 65536:
        raise ConfigError(f"port: {settings.port} is not a TCP port (1-65535)")
    if settings.public_url and urlsplit(settings.public_url).scheme not in ("http", "https"):
        raise ConfigError(f"public_url: {settings.public_url!r} must start with http:// or https://")
    if settings.database_url and urlsplit(settings.database_url).scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"database_url: {settings.database_url!r} must be a postgresql:// URL")
    if settings.log_level not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"log_level: {settings.log_level!r} is not debug, info, warning or error")
    for name in ("verification_ttl", "signature_max_skew", "key_cache_ttl"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"{name}: must not be negative")
    if settings.max_body_bytes < 1024:
        raise ConfigError("max_body_bytes: must be at least 1024")
    # -- alarms
    if settings.alarm_evaluation_interval < 1:
        raise ConfigError("alarm_evaluation_interval: must be at least 1 (second)")
    if settings.metric_retention < MIN_METRIC_RETENTION:
        raise ConfigError(
            f"metric_retention: must be at least {MIN_METRIC_RETENTION:g} seconds, the longest alarm evaluation range "
            "(290 periods of 300 seconds)"
        )
    if settings.five_minute_metric_retention < MIN_METRIC_RETENTION:
        raise ConfigError(
            f"five_minute_metric_retention: must be at least {MIN_METRIC_RETENTION:g} seconds, the longest alarm "
            "evaluation range (290 periods of 300 seconds)"
        )
    for name in ("minute_metric_retention", "hour_metric_retention"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{name}: must be more than 0 seconds")
    _check_delivery(settings)
    _check_database(settings)
    _check_connections(settings)
    _check_limits(settings)
    _check_scraping(settings)


def _check_scraping(settings: Settings) -> None:
    if settings.scrape_interval < 1:
        raise ConfigError("scrape_interval: must be at least 1 (second)")
    if settings.scrape_timeout <= 0:
        raise ConfigError("scrape_timeout: must be more than 0 seconds")
    if settings.scrape_concurrency < 1:
        raise ConfigError("scrape_concurrency: must be at least 1")


def _check_connections(settings: Settings) -> None:
    if settings.body_timeout <= 0:
        raise ConfigError("body_timeout: must be more than 0 seconds")
    if settings.header_timeout <= 0:
        raise ConfigError("header_timeout: must be more than 0 seconds")
    if settings.keep_alive_timeout < 1:
        raise ConfigError("keep_alive_timeout: must be at least 1 (second)")
    if settings.max_connections < 0:
        raise ConfigError("max_connections: must not be negative (0: from the open-file limit)")
    serve_processes(settings)


def serve_processes(settings: Settings) -> int:
    """How many processes ``serve`` runs: ``workers``, with ``auto`` the CPU cores this process may use."""
    if settings.workers.strip().lower() == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        count = int(settings.workers)
    except ValueError:
        raise ConfigError(f"workers: {settings.workers!r} is not a whole number or auto") from None
    if count < 1:
        raise ConfigError("workers: must be at least 1 (or auto)")
    return count


LIMITS_OFF: dict[str, Any] = {
    "sms_countries": frozenset({EVERY_COUNTRY}),
    "verification_interval": 0.0,
    "verifications_per_day": 0,
    "emails_per_hour": 0,
    "sms_per_hour": 0,
    "test_alarm_interval": 0.0,
    "max_resources": 0,
    "max_alarms": 0,
    "api_rate": 0.0,
}
"""The value of each limit that turns it off: what ``mock_lightsail`` and ``ThreadedServer`` use unless asked."""

LIMITS_LOOK_BACK = 86400.0
"""The longest window a limit counts over (a day of verification emails): the outbox keeps sent messages as long."""


def without_limits(settings: Settings) -> Settings:
    """``settings`` with every limit off."""
    return dataclasses.replace(settings, **LIMITS_OFF)


def _check_limits(settings: Settings) -> None:
    if bad := {code for code in settings.sms_countries if code != EVERY_COUNTRY and not _is_country(code)}:
        raise ConfigError(f"sms_countries: {', '.join(sorted(bad))} not ISO 3166 country code(s) (or * for all)")
    for name in LIMITS_OFF.keys() - {"sms_countries"}:
        if getattr(settings, name) < 0:
            raise ConfigError(f"{name}: must not be negative (0 turns the limit off)")
    if settings.api_rate and settings.api_burst < 1:
        raise ConfigError("api_burst: must be at least 1 when api_rate is set")
    counts_outbox = settings.verifications_per_day or settings.emails_per_hour or settings.sms_per_hour
    if counts_outbox and settings.outbox_retention < LIMITS_LOOK_BACK:
        raise ConfigError(
            f"outbox_retention: must be at least {LIMITS_LOOK_BACK:g} seconds while verifications_per_day, "
            "emails_per_hour or sms_per_hour is on: they count the messages the outbox keeps"
        )


def _is_country(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()


# -- postgres -------------------------------------------------------------------------------------------
def _check_database(settings: Settings) -> None:
    if settings.database_pool_size < 1:
        raise ConfigError("database_pool_size: must be at least 1")
    if settings.database_retries < 0:
        raise ConfigError("database_retries: must not be negative")
    for name in ("database_connect_timeout", "database_statement_timeout", "database_idle_transaction_timeout"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{name}: must be more than 0 seconds")


# -- delivery -------------------------------------------------------------------------------------------
def _check_delivery(settings: Settings) -> None:
    from email.headerregistry import Address
    from email.utils import parseaddr

    if settings.email_provider not in ("capture", "smtp"):
        raise ConfigError(f"email_provider: {settings.email_provider!r} is not capture or smtp")
    if settings.sms_provider not in ("capture", "sns", "webhook"):
        raise ConfigError(f"sms_provider: {settings.sms_provider!r} is not capture, sns or webhook")
    name, address = parseaddr(settings.email_from)
    if "@" not in address or any(c in settings.email_from for c in "\r\n"):
        raise ConfigError(f"email_from: {settings.email_from!r} is not an address like 'lsnotify <me@example.com>'")
    try:
        Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"email_from: {settings.email_from!r} is not a valid address: {exc}") from None
    if settings.email_provider == "smtp" and not settings.smtp_host:
        raise ConfigError("smtp_host: email_provider smtp needs an SMTP server host (LSNOTIFY_SMTP_HOST)")
    if settings.smtp_tls and settings.smtp_starttls:
        raise ConfigError("smtp_tls and smtp_starttls: choose one (implicit TLS or a STARTTLS upgrade)")
    if not 0 <= settings.smtp_port < 65536:
        raise ConfigError(f"smtp_port: {settings.smtp_port} is not a TCP port (1-65535, or 0 for the default)")
    if settings.smtp_password and not settings.smtp_username:
        raise ConfigError("smtp_password: given without smtp_username")
    if settings.smtp_ca_file and not Path(settings.smtp_ca_file).is_file():
        raise ConfigError(f"smtp_ca_file: {settings.smtp_ca_file} is not a readable file")
    if settings.sms_provider == "webhook":
        if urlsplit(settings.webhook_url).scheme not in ("http", "https"):
            raise ConfigError(
                f"webhook_url: sms_provider webhook needs an http(s):// URL, not {settings.webhook_url!r}"
            )
        if not settings.webhook_secret:
            raise ConfigError("webhook_secret: sms_provider webhook needs a secret to sign requests with")
    if settings.sns_endpoint_url and urlsplit(settings.sns_endpoint_url).scheme not in ("http", "https"):
        raise ConfigError(f"sns_endpoint_url: {settings.sns_endpoint_url!r} must start with http:// or https://")
    if bool(settings.sns_access_key_id) != bool(settings.sns_secret_access_key):
        raise ConfigError("sns_access_key_id and sns_secret_access_key: give both or neither")
    for name in ("worker_batch_size", "worker_concurrency", "delivery_max_attempts"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name}: must be at least 1")
    for name in ("worker_poll_interval", "worker_lease_timeout", "delivery_max_age", "smtp_timeout", "sms_timeout"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{name}: must be more than 0 seconds")
    for name in ("retry_base_delay", "retry_max_delay", "outbox_retention"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"{name}: must not be negative")
    if settings.retry_max_delay < settings.retry_base_delay:
        raise ConfigError("retry_max_delay: must not be shorter than retry_base_delay")
