"""Contact methods and their verification tokens, in any dialect.

One contact method per protocol and scope is the table's primary key: ``INSERT … ON CONFLICT DO NOTHING`` tells the
loser of a race, on SQLite as on any number of PostgreSQL nodes. A token is spent, and a contact method restarted,
under a row lock (PostgreSQL's; SQLite's one writer needs none).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from lsnotify.domain import Operation, Scope
from lsnotify.domain.contacts import EMAIL, VALID, ContactMethod, VerificationToken
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage import queries
from lsnotify.storage.base import AlreadyVerified, ContactMethodExists, RecordNotFound
from lsnotify.storage.executor import Executor
from lsnotify.storage.operations import insert_operation
from lsnotify.storage.outbox import insert_outbox
from lsnotify.storage.rows import contact_method_from_row, contact_method_values, token_values


async def select_contact_method(ex: Executor, account_id: str, region: str, protocol: str) -> ContactMethod | None:
    row = await ex.fetchrow(queries.SELECT_CONTACT_METHOD, account_id, region, protocol)
    return contact_method_from_row(row, ex.load) if row else None


async def list_contact_methods(ex: Executor, scope: Scope, protocols: Collection[str] | None) -> list[ContactMethod]:
    rows = await ex.fetch(queries.LIST_CONTACT_METHODS, scope.account_id, scope.region)
    methods = (contact_method_from_row(row, ex.load) for row in rows)
    return [cm for cm in methods if protocols is None or cm.protocol in protocols]


async def create_contact_method(
    ex: Executor,
    cm: ContactMethod,
    op: Operation,
    outbox: Sequence[OutboxMessage],
    token: VerificationToken | None,
) -> None:
    # ON CONFLICT waits for a concurrent insert of the same key to commit or roll back, then does nothing if it
    # committed: of several writers creating at once, exactly one inserts. Each statement sees the latest commits.
    while await ex.fetchval(queries.INSERT_CONTACT_METHOD, *contact_method_values(cm, ex.dump)) is None:
        existing = await select_contact_method(ex, cm.account_id, cm.region, cm.protocol)
        if existing is not None:
            raise ContactMethodExists(existing)
        # The winner was deleted in between: the conflict is gone, so try again.
    await insert_operation(ex, op)
    await insert_outbox(ex, outbox)
    if token is not None:
        await ex.execute(queries.INSERT_TOKEN, *token_values(token))


async def _drop_tokens(ex: Executor, cm: ContactMethod) -> None:
    await ex.execute(queries.DROP_TOKENS, cm.account_id, cm.region, cm.id)


async def delete_contact_method(ex: Executor, scope: Scope, protocol: str, op: Operation) -> ContactMethod:
    row = await ex.fetchrow(queries.DELETE_CONTACT_METHOD, scope.account_id, scope.region, protocol)
    if row is None:
        raise RecordNotFound(protocol)
    cm = contact_method_from_row(row, ex.load)
    await _drop_tokens(ex, cm)
    await insert_operation(ex, op)
    return cm


async def restart_verification(
    ex: Executor,
    cm: ContactMethod,
    token: VerificationToken,
    op: Operation,
    outbox: Sequence[OutboxMessage],
) -> ContactMethod:
    key = (cm.account_id, cm.region, cm.protocol)
    row = await ex.fetchrow(queries.LOCK_CONTACT_METHOD, *key)
    current = contact_method_from_row(row, ex.load) if row else None
    if current is None or current.id != cm.id:
        raise RecordNotFound(cm.id)
    if current.status == VALID:
        raise AlreadyVerified(cm.id)
    await _drop_tokens(ex, current)
    await ex.execute(queries.INSERT_TOKEN, *token_values(token))
    updated = await ex.fetchrow(queries.RESTART_VERIFICATION, token.expires_at, *key)
    await insert_operation(ex, op)
    await insert_outbox(ex, outbox)
    assert updated is not None  # locked above
    return contact_method_from_row(updated, ex.load)


async def confirm_verification(ex: Executor, token_hash: str, now: float) -> ContactMethod:
    token = await ex.fetchrow(queries.LOCK_TOKEN, token_hash)
    if token is None or token[3] <= now:
        raise RecordNotFound("token")
    account_id, region, contact_method_id, _ = token
    row = await ex.fetchrow(queries.CONFIRM_VERIFICATION, account_id, region, EMAIL, contact_method_id)
    if row is None:
        raise RecordNotFound(contact_method_id)
    cm = contact_method_from_row(row, ex.load)
    await _drop_tokens(ex, cm)
    return cm


async def peek_verification(ex: Executor, token_hash: str, now: float) -> ContactMethod | None:
    """The contact method a live token would verify, without spending it."""
    token = await ex.fetchrow(queries.PEEK_TOKEN, token_hash, now)
    if token is None:
        return None
    account_id, region, contact_method_id = token
    cm = await select_contact_method(ex, account_id, region, EMAIL)
    return cm if cm is not None and cm.id == contact_method_id else None
