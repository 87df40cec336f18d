"""The Store contract: what every backend must do, tested through the interface alone."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from lsnotify.domain import KEY_ACTIVE, KEY_INACTIVE, AccessKey, Operation, Scope, Tag, TaggableResource, new_id
from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, SMS, VALID, ContactMethod, VerificationToken
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage.base import AlreadyVerified, ContactMethodExists, RecordNotFound, Store, TooManyTags
from taggable import resolved

SCOPE = Scope("111111111111", "us-east-1")
NOW = 1_800_000_000.0


def contact_method(scope: Scope = SCOPE, protocol: str = EMAIL, endpoint: str = "ops@example.com") -> ContactMethod:
    return ContactMethod(
        account_id=scope.account_id,
        region=scope.region,
        protocol=protocol,
        contact_endpoint=endpoint,
        status=PENDING_VERIFICATION if protocol == EMAIL else VALID,
        id=new_id(),
        created_at=NOW,
        verification_expires_at=NOW + 86400 if protocol == EMAIL else None,
    )


def operation(scope: Scope = SCOPE, name: str = "Email-us-east-1", kind: str = "CreateContactMethod", at: float = NOW):
    return Operation(new_id(), scope.account_id, scope.region, name, "ContactMethod", kind, at, status_changed_at=at)


def token_for(cm: ContactMethod, token_hash: str | None = None, expires_at: float = NOW + 86400) -> VerificationToken:
    return VerificationToken(token_hash or new_id(), cm.account_id, cm.region, cm.id, NOW, expires_at)


def message_for(cm: ContactMethod) -> OutboxMessage:
    message_id = new_id()
    return OutboxMessage(
        message_id, cm.account_id, cm.region, EMAIL, cm.contact_endpoint, "verification", {"n": 1}, message_id, NOW
    )


async def test_migrate_applies_everything_once(store: Store) -> None:
    assert await store.migrate() == []
    await store.ping()


async def test_access_keys_round_trip(store: Store) -> None:
    key = AccessKey("AKIATESTTESTTEST0001", "222222222222", "sealed", KEY_ACTIVE, NOW)
    other = AccessKey("AKIATESTTESTTEST0002", "333333333333", "sealed2", KEY_ACTIVE, NOW + 1)
    await store.create_access_key(key)
    await store.create_access_key(other)
    assert await store.get_access_key(key.access_key_id) == key
    assert await store.get_access_key("AKIANOSUCHKEY0000000") is None
    assert await store.list_access_keys("222222222222") == [key]
    assert [k.access_key_id for k in await store.list_access_keys()][-2:] == [key.access_key_id, other.access_key_id]

    await store.set_access_key_status(key.access_key_id, KEY_INACTIVE)
    assert (await store.get_access_key(key.access_key_id)).status == KEY_INACTIVE  # type: ignore[union-attr]
    await store.delete_access_key(key.access_key_id)
    assert await store.get_access_key(key.access_key_id) is None
    with pytest.raises(RecordNotFound):
        await store.delete_access_key(key.access_key_id)
    with pytest.raises(RecordNotFound):
        await store.set_access_key_status(key.access_key_id, KEY_ACTIVE)


async def test_second_key_for_an_account_reuses_the_account(store: Store) -> None:
    await store.create_access_key(AccessKey("AKIATESTTESTTEST0003", "444444444444", "s", KEY_ACTIVE, NOW))
    await store.create_access_key(AccessKey("AKIATESTTESTTEST0004", "444444444444", "s", KEY_ACTIVE, NOW))
    assert len(await store.list_access_keys("444444444444")) == 2


async def test_create_writes_method_operation_outbox_and_token_together(store: Store) -> None:
    cm = contact_method()
    op, message, token = operation(), message_for(cm), token_for(cm)
    await store.create_contact_method(cm, op, [message], token)

    assert await store.list_contact_methods(SCOPE) == [cm]
    assert await store.get_operation(SCOPE, op.id) == op
    assert [m.id for m in await store.list_outbox()] == [message.id]
    stored = (await store.list_outbox())[0]
    assert stored == message


async def test_one_contact_method_per_protocol_and_the_loser_writes_nothing(store: Store) -> None:
    first = contact_method()
    await store.create_contact_method(first, operation())
    second = contact_method(endpoint="other@example.com")
    losing_op, losing_message = operation(), message_for(second)
    with pytest.raises(ContactMethodExists) as raised:
        await store.create_contact_method(second, losing_op, [losing_message], token_for(second))
    assert raised.value.existing == first
    assert await store.list_contact_methods(SCOPE) == [first]
    assert await store.get_operation(SCOPE, losing_op.id) is None
    assert await store.list_outbox() == []


async def test_concurrent_creates_of_one_protocol_have_exactly_one_winner(store: Store) -> None:
    candidates = [contact_method(endpoint=f"user{i}@example.com") for i in range(40)]
    results = await asyncio.gather(
        *(store.create_contact_method(cm, operation()) for cm in candidates), return_exceptions=True
    )
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, ContactMethodExists) for result in results if result is not None)
    assert len(await store.list_contact_methods(SCOPE)) == 1


async def test_list_filters_by_protocol_and_orders_email_first(store: Store) -> None:
    sms = contact_method(protocol=SMS, endpoint="+14255550100")
    email = contact_method()
    await store.create_contact_method(sms, operation(name="SMS-us-east-1"))
    await store.create_contact_method(email, operation())
    assert await store.list_contact_methods(SCOPE) == [email, sms]
    assert await store.list_contact_methods(SCOPE, [SMS]) == [sms]
    assert await store.list_contact_methods(SCOPE, [EMAIL]) == [email]


async def test_scopes_never_see_each_other(store: Store) -> None:
    scopes = [Scope(a, r) for a in ("555555555555", "666666666666") for r in ("us-east-1", "eu-west-1")]
    for scope in scopes:
        await store.create_contact_method(contact_method(scope), operation(scope))
    for scope in scopes:
        methods = await store.list_contact_methods(scope)
        assert [(m.account_id, m.region) for m in methods] == [(scope.account_id, scope.region)]
        ops = await store.list_operations(scope, limit=10)
        assert [(o.account_id, o.region) for o in ops] == [(scope.account_id, scope.region)]
        assert await store.get_operation(scope, ops[0].id) is not None
        other = scopes[(scopes.index(scope) + 1) % len(scopes)]
        assert await store.get_operation(other, ops[0].id) is None


async def test_delete_removes_the_method_and_its_tokens(store: Store) -> None:
    cm = contact_method()
    token = token_for(cm, "hash-delete")
    await store.create_contact_method(cm, operation(), [message_for(cm)], token)
    delete_op = operation(kind="DeleteContactMethod")
    assert await store.delete_contact_method(SCOPE, EMAIL, delete_op) == cm
    assert await store.list_contact_methods(SCOPE) == []
    assert await store.get_operation(SCOPE, delete_op.id) == delete_op
    with pytest.raises(RecordNotFound):
        await store.confirm_verification("hash-delete", NOW)
    with pytest.raises(RecordNotFound):
        await store.delete_contact_method(SCOPE, EMAIL, operation(kind="DeleteContactMethod"))


async def test_confirm_verification_spends_the_token(store: Store) -> None:
    cm = contact_method()
    await store.create_contact_method(cm, operation(), [message_for(cm)], token_for(cm, "hash-1"))
    verified = await store.confirm_verification("hash-1", NOW + 10)
    assert verified.status == VALID and verified.id == cm.id and verified.verification_expires_at is None
    assert (await store.list_contact_methods(SCOPE))[0].status == VALID
    with pytest.raises(RecordNotFound):
        await store.confirm_verification("hash-1", NOW + 20)


async def test_expired_or_unknown_token_changes_nothing(store: Store) -> None:
    cm = contact_method()
    await store.create_contact_method(cm, operation(), [], token_for(cm, "hash-2", expires_at=NOW + 5))
    with pytest.raises(RecordNotFound):
        await store.confirm_verification("hash-2", NOW + 5)
    with pytest.raises(RecordNotFound):
        await store.confirm_verification("no-such-hash", NOW)
    assert await store.list_contact_methods(SCOPE) == [cm]


async def test_restart_verification_replaces_earlier_tokens(store: Store) -> None:
    cm = contact_method()
    await store.create_contact_method(cm, operation(), [], token_for(cm, "old"))
    new_token = token_for(cm, "new", expires_at=NOW + 99_999)
    op = operation(kind="SendContactMethodVerification")
    restarted = await store.restart_verification(cm, new_token, op, [message_for(cm)])
    assert restarted.status == PENDING_VERIFICATION
    assert restarted.verification_expires_at == NOW + 99_999
    assert await store.get_operation(SCOPE, op.id) == op
    assert len(await store.list_outbox()) == 1
    with pytest.raises(RecordNotFound):
        await store.confirm_verification("old", NOW)
    assert (await store.confirm_verification("new", NOW)).status == VALID
    with pytest.raises(AlreadyVerified):
        await store.restart_verification(cm, token_for(cm, "third"), operation(), [])


async def test_restart_verification_of_a_replaced_method_is_not_found(store: Store) -> None:
    cm = contact_method()
    await store.create_contact_method(cm, operation(), [])
    gone = replace(cm, id=new_id())
    with pytest.raises(RecordNotFound):
        await store.restart_verification(gone, token_for(gone), operation(), [])


async def test_tags_merge_overwrite_and_untag(store: Store) -> None:
    cm = replace(contact_method(), tags=(Tag("team", "ops"),))
    await store.create_contact_method(cm, operation())
    resource = await resolved(store, SCOPE, "Email-us-east-1")
    assert resource is not None and resource.arn == cm.arn and resource.tags == (Tag("team", "ops"),)
    assert resource.resource_type == "ContactMethod" and resource.resource_id == cm.id
    assert await resolved(store, SCOPE, "SMS-us-east-1") is None
    assert await resolved(store, SCOPE, "nothing") is None

    await store.tag_resource(
        SCOPE, "Email-us-east-1", [Tag("team", "sre"), Tag("flag")], lambda _: operation(kind="TagResource"), 50
    )
    assert (await store.list_contact_methods(SCOPE))[0].tags == (Tag("team", "sre"), Tag("flag"))
    await store.untag_resource(SCOPE, "Email-us-east-1", ["team", "absent"], lambda _: operation(kind="UntagResource"))
    assert (await store.list_contact_methods(SCOPE))[0].tags == (Tag("flag"),)


async def test_too_many_tags_changes_nothing(store: Store) -> None:
    await store.create_contact_method(contact_method(), operation())
    await store.tag_resource(SCOPE, "Email-us-east-1", [Tag(f"k{i}") for i in range(3)], lambda _: operation(), 4)
    op = operation(kind="TagResource")
    with pytest.raises(TooManyTags) as raised:
        await store.tag_resource(SCOPE, "Email-us-east-1", [Tag("a"), Tag("b")], lambda _: op, 4)
    assert raised.value.count == 5
    assert len((await store.list_contact_methods(SCOPE))[0].tags) == 3
    assert await store.get_operation(SCOPE, op.id) is None


async def test_a_tag_change_records_the_operation_of_the_resource_it_resolved(store: Store) -> None:
    cm = contact_method()
    await store.create_contact_method(cm, operation())
    resolved: list[TaggableResource] = []

    def operation_for(resource: TaggableResource) -> Operation:
        resolved.append(resource)
        return operation(kind="TagResource")

    recorded = await store.tag_resource(SCOPE, "Email-us-east-1", [Tag("team", "sre")], operation_for, 50)
    assert [(r.resource_type, r.arn) for r in resolved] == [("ContactMethod", cm.arn)]
    assert await store.get_operation(SCOPE, recorded.id) == recorded

    class Refused(Exception):
        pass

    def refuse(resource: TaggableResource) -> Operation:
        raise Refused(resource.arn)

    with pytest.raises(Refused):
        await store.tag_resource(SCOPE, "Email-us-east-1", [Tag("team", "ops")], refuse, 50)
    with pytest.raises(Refused):
        await store.untag_resource(SCOPE, "Email-us-east-1", ["team"], refuse)
    assert (await store.list_contact_methods(SCOPE))[0].tags == (Tag("team", "sre"),)
    with pytest.raises(RecordNotFound):
        await store.tag_resource(SCOPE, "SMS-us-east-1", [Tag("a")], refuse, 50)


async def test_tagging_a_deleted_resource_is_not_found(store: Store) -> None:
    await store.create_contact_method(contact_method(), operation())
    assert await resolved(store, SCOPE, "Email-us-east-1") is not None
    await store.delete_contact_method(SCOPE, EMAIL, operation())
    with pytest.raises(RecordNotFound):
        await store.tag_resource(SCOPE, "Email-us-east-1", [Tag("a")], lambda _: operation(), 50)
    with pytest.raises(RecordNotFound):
        await store.untag_resource(SCOPE, "Email-us-east-1", ["a"], lambda _: operation())


async def test_operations_are_listed_newest_first_in_pages(store: Store) -> None:
    ops = [operation(name="Email-us-east-1" if i % 2 else "SMS-us-east-1", at=NOW + i // 3) for i in range(25)]
    await store.create_contact_method(contact_method(), ops[0], [])
    for op in ops[1:]:
        # Record each through a real mutation so the contract needs no write method just for tests.
        await store.tag_resource(SCOPE, "Email-us-east-1", [], lambda _, op=op: op, 50)
    expected = sorted(ops, key=lambda o: (o.created_at, o.id), reverse=True)

    seen: list[Operation] = []
    after = None
    while True:
        page = await store.list_operations(SCOPE, limit=7, after=after)
        seen.extend(page)
        if len(page) < 7:
            break
        after = (page[-1].created_at, page[-1].id)
    assert seen == expected

    for_email = await store.list_operations(SCOPE, limit=100, resource_name="Email-us-east-1")
    assert for_email == [op for op in expected if op.resource_name == "Email-us-east-1"]


async def test_reads_see_every_acknowledged_write_at_once(store: Store) -> None:
    for i in range(50):
        scope = Scope(f"{700000000000 + i}", "us-east-1")
        cm = contact_method(scope)
        await store.create_contact_method(cm, operation(scope))
        assert await store.list_contact_methods(scope) == [cm]


async def test_many_concurrent_writers_each_get_their_own_result(store: Store) -> None:
    """Group commit batches writers together; none may lose its write or receive another's result."""
    scopes = [Scope(f"{800000000000 + i}", "eu-west-1") for i in range(300)]
    await asyncio.gather(*(store.create_contact_method(contact_method(s), operation(s)) for s in scopes))
    losers = [contact_method(s, endpoint="late@example.com") for s in scopes[:50]]
    results = await asyncio.gather(
        *(store.create_contact_method(cm, operation()) for cm in losers), return_exceptions=True
    )
    assert all(
        isinstance(r, ContactMethodExists) and r.existing.account_id == cm.account_id
        for r, cm in zip(results, losers, strict=True)
    )
    for scope in scopes[::37]:
        assert len(await store.list_contact_methods(scope)) == 1
