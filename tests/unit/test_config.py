"""Settings: precedence of flags, variables, TOML and defaults; one clear error per wrong value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lsnotify.config import (
    DEFAULT_SMS_REGIONS,
    ConfigError,
    Settings,
    env_name,
    load_settings,
    serve_processes,
    setting_fields,
)
from lsnotify.web.app import build_app


def test_defaults() -> None:
    settings = load_settings()
    assert settings == Settings()
    assert (settings.host, settings.port, settings.data_dir) == ("127.0.0.1", 8080, Path(".lsnotify"))
    assert settings.effective_public_url == "http://127.0.0.1:8080"
    assert settings.sms_regions == DEFAULT_SMS_REGIONS


def test_flag_beats_variable_beats_file_beats_default(tmp_path: Path) -> None:
    config = tmp_path / "lsnotify.toml"
    config.write_text('port = 7000\nhost = "0.0.0.0"\nverification_ttl = 60\npublic-url = "https://n.example/"\n')
    settings = load_settings({"port": "9000"}, {"LSNOTIFY_PORT": "8000", "LSNOTIFY_HOST": "::1"}, config)
    assert settings.port == 9000
    assert settings.host == "::1"
    assert settings.verification_ttl == 60.0
    assert settings.effective_public_url == "https://n.example"


def test_types_from_strings() -> None:
    settings = load_settings(
        None,
        {
            "LSNOTIFY_ACCESS_LOG": "off",
            "LSNOTIFY_SMS_REGIONS": "us-east-1, eu-west-1",
            "LSNOTIFY_SMS_COUNTRIES": "",
            "LSNOTIFY_DATA_DIR": "~/x",
        },
    )
    assert settings.access_log is False
    assert settings.sms_regions == frozenset({"us-east-1", "eu-west-1"})
    assert settings.sms_countries == frozenset()
    assert settings.data_dir == Path("~/x").expanduser()


def test_toml_may_use_an_lsnotify_table_and_lists(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[lsnotify]\nsms_regions = ["us-west-2"]\naccess_log = false\n')
    settings = load_settings(None, {}, config)
    assert settings.sms_regions == frozenset({"us-west-2"}) and settings.access_log is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LSNOTIFY_PORT": "eighty"}, "port (LSNOTIFY_PORT): 'eighty' is not valid"),
        ({"LSNOTIFY_PORT": "0"}, "port: 0 is not a TCP port"),
        ({"LSNOTIFY_ACCESS_LOG": "maybe"}, "access_log (LSNOTIFY_ACCESS_LOG): 'maybe' is not valid"),
        ({"LSNOTIFY_PUBLIC_URL": "ftp://x"}, "public_url: 'ftp://x' must start with http:// or https://"),
        ({"LSNOTIFY_DATABASE_URL": "mysql://x"}, "database_url: 'mysql://x' must be a postgresql:// URL"),
        ({"LSNOTIFY_LOG_LEVEL": "loud"}, "log_level: 'loud' is not debug, info, warning or error"),
        ({"LSNOTIFY_VERIFICATION_TTL": "-1"}, "verification_ttl: must not be negative"),
        ({"LSNOTIFY_MAX_BODY_BYTES": "10"}, "max_body_bytes: must be at least 1024"),
        ({"LSNOTIFY_WORKERS": "0"}, "workers: must be at least 1 (or auto)"),
        ({"LSNOTIFY_WORKERS": "many"}, "workers: 'many' is not a whole number or auto"),
    ],
)
def test_wrong_values_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(None, env)
    assert str(raised.value).startswith(message)


def test_sms_regions_must_be_lightsail_regions(tmp_path: Path) -> None:
    settings = load_settings(None, {"LSNOTIFY_SMS_REGIONS": "mars-1", "LSNOTIFY_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError) as raised:
        build_app(settings)
    assert str(raised.value).startswith("sms_regions: mars-1 not Lightsail region(s)")


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file .*missing\.toml: No such file"):
        load_settings(None, {}, tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("port = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(None, {}, broken)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(None, {}, unknown)


def test_the_readme_lists_every_setting() -> None:
    # Issue 3: "A README table lists them all" — a setting added without its row fails here.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [env_name(field.name) for field in setting_fields() if f"`{env_name(field.name)}`" not in readme]
    assert missing == []


def test_serve_processes_are_a_number_or_one_per_core() -> None:
    assert serve_processes(load_settings()) == 1
    assert serve_processes(load_settings({"workers": "3"})) == 3
    assert serve_processes(load_settings(None, {"LSNOTIFY_WORKERS": "auto"})) == len(os.sched_getaffinity(0))
