"""Internationalized email addresses through a real SMTP server (aiosmtpd): a non-ASCII domain goes in its ASCII form
to any server; a non-ASCII local part goes with SMTPUTF8 to a server that offers it, and is dead-lettered, saying
why, by one that does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from delivery_harness import outbox, smtp_env
from harness import ServerProcess, running_server, wait_until
from pages import confirm, verify_link
from smtp_sink import SmtpSink


@pytest.fixture(scope="module")
def utf8_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(enable_SMTPUTF8=True).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def ascii_sink() -> Iterator[SmtpSink]:
    """An SMTP server that does not offer SMTPUTF8 (aiosmtpd's controller offers it unless told not to)."""
    sink = SmtpSink(enable_SMTPUTF8=False).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def utf8_server(utf8_sink: SmtpSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from running_server(tmp_path_factory.mktemp("utf8"), env=smtp_env(utf8_sink.port))


@pytest.fixture(scope="module")
def ascii_server(ascii_sink: SmtpSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from running_server(tmp_path_factory.mktemp("ascii"), env=smtp_env(ascii_sink.port))


def test_a_non_ascii_local_part_goes_with_smtputf8_and_its_link_confirms(
    utf8_server: ServerProcess, utf8_sink: SmtpSink
) -> None:
    account = utf8_server.new_account()
    client = utf8_server.client(account)
    address = f"josé-{account.account_id}@exämple.com"
    client.create_contact_method(protocol="Email", contactEndpoint=address)
    (received,) = utf8_sink.wait_for(address)
    assert received.rcpt_tos == (address,)
    assert received.message["To"] == address
    assert f"To: {address}\r\n".encode() in received.raw  # UTF-8 as it is (RFC 6532), not an encoded word
    assert confirm(verify_link(received.text())).status == 200
    (method,) = client.get_contact_methods()["contactMethods"]
    assert (method["contactEndpoint"], method["status"]) == (address, "Valid")


def test_a_non_ascii_domain_alone_goes_in_its_ascii_form_to_any_server(
    ascii_server: ServerProcess, ascii_sink: SmtpSink
) -> None:
    account = ascii_server.new_account()
    client = ascii_server.client(account)
    client.create_contact_method(protocol="Email", contactEndpoint=f"ops-{account.account_id}@bücher.example")
    ascii_form = f"ops-{account.account_id}@xn--bcher-kva.example"
    (received,) = ascii_sink.wait_for(ascii_form)
    assert received.message["To"] == ascii_form and received.raw.isascii()


def test_a_non_ascii_local_part_is_dead_lettered_by_a_server_without_smtputf8(
    ascii_server: ServerProcess, ascii_sink: SmtpSink
) -> None:
    account = ascii_server.new_account()
    address = f"josé-{account.account_id}@example.com"
    ascii_server.client(account).create_contact_method(protocol="Email", contactEndpoint=address)
    (dead,) = wait_until(lambda: [m for m in outbox(ascii_server, "dead") if m.destination == address])
    assert dead.attempts == 1  # permanent: no retry can help
    assert dead.last_error is not None
    assert "does not offer SMTPUTF8, which the internationalized address" in dead.last_error
    assert address in dead.last_error
    assert ascii_sink.to(address) == []
