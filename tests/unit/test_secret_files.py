"""Secret settings from files (``*_file``) and the warning for a secret given as a flag."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from lsnotify.config import SECRET_FILE_SUFFIX, ConfigError, env_name, load_settings, secret_names, setting_fields


def test_every_secret_setting_has_a_file_twin() -> None:
    names = {setting.name for setting in setting_fields()}
    assert set(secret_names()) == {
        "secret_key", "smtp_password", "sns_secret_access_key", "webhook_secret", "admin_token"
    }  # fmt: skip
    assert all(name + SECRET_FILE_SUFFIX in names for name in secret_names())


def test_a_secret_comes_from_its_file_without_the_final_line_break(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("pa ss\n")
    (tmp_path / "token").write_text("t0ken")
    settings = load_settings(
        {"smtp_username": "me", "smtp_password_file": str(tmp_path / "password")},
        {"LSNOTIFY_ADMIN_TOKEN_FILE": str(tmp_path / "token")},
    )
    assert (settings.smtp_password, settings.admin_token) == ("pa ss", "t0ken")


def test_a_toml_file_may_name_the_secret_file(tmp_path: Path) -> None:
    (tmp_path / "hook").write_text("hmac-key\r\n")
    config = tmp_path / "lsnotify.toml"
    config.write_text(f'webhook_secret_file = "{tmp_path / "hook"}"\n')
    assert load_settings(None, {}, config).webhook_secret == "hmac-key"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"admin_token": "a", "admin_token_file": "{dir}/token"}, "admin_token and admin_token_file: give one"),
        ({"admin_token_file": "{dir}/missing"}, "admin_token_file (LSNOTIFY_ADMIN_TOKEN_FILE): cannot read"),
        ({"admin_token_file": "{dir}/empty"}, "admin_token_file (LSNOTIFY_ADMIN_TOKEN_FILE): {dir}/empty is empty"),
        ({"secret_key_file": "{dir}"}, "secret_key_file (LSNOTIFY_SECRET_KEY_FILE): cannot read"),
    ],
)
def test_a_wrong_secret_file_is_named(tmp_path: Path, values: dict[str, str], message: str) -> None:
    (tmp_path / "token").write_text("t")
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value.format(dir=tmp_path) for name, value in values.items()})
    assert str(raised.value).startswith(message.format(dir=tmp_path)) and "\n" not in str(raised.value)


def test_a_secret_given_as_a_flag_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "lsnotify.config"):
        load_settings({"smtp_username": "me", "smtp_password": "hunter2"}, {"LSNOTIFY_ADMIN_TOKEN": "t"})
    (record,) = caplog.records
    message = record.getMessage()
    assert "--smtp-password" in message and "ps" in message and env_name("smtp_password") in message
    assert "--smtp-password-file" in message and "hunter2" not in message
