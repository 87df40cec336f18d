"""Contact methods: CreateContactMethod, GetContactMethods, DeleteContactMethod, SendContactMethodVerification.

One Email and one SMS contact method per account and region; the database enforces it. An Email method starts
``PendingVerification`` with a verification message in the outbox, written in the same transaction; an SMS method
needs no verification and is ``Valid`` at once, in the regions (and countries) where SMS is allowed.
"""

from __future__ import annotations

import operator
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from lsnotify.awsjson.shared import SharedResult
from lsnotify.config import EVERY_COUNTRY
from lsnotify.context import RequestContext
from lsnotify.domain import new_id
from lsnotify.domain.contacts import EMAIL, INVALID, PENDING_VERIFICATION, VALID, ContactMethod, contact_method_name
from lsnotify.domain.outbox import VERIFICATION_KIND
from lsnotify.errors import InvalidInputException, NotFoundException, shown
from lsnotify.service import Services, scope_of
from lsnotify.service.limits import check_verification_allowed
from lsnotify.service.operations import new_operation, operations_result
from lsnotify.service.tags import parse_tags, tags_to_wire
from lsnotify.service.verification import new_verification
from lsnotify.storage.base import AlreadyVerified, ContactMethodExists, RecordNotFound

RESOURCE_TYPE = "ContactMethod"
_ANSWERS_KEPT = 4096
"""Most GetContactMethods answers kept (by account, region and protocols asked); beyond, it starts from empty."""
_answers: dict[tuple[str, str, tuple[str, ...] | None], tuple[list[ContactMethod], list[str], SharedResult]] = {}
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_email(address: str) -> str:
    if _CONTROL.search(address):
        raise InvalidInputException(f"contactEndpoint: {shown(address)} contains a control character or line break.")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInputException(f"contactEndpoint: {shown(address)} is not a valid email address: {exc}") from None
    return address


def check_phone_number(number: str, allowed_countries: frozenset[str]) -> str:
    if not _E164.fullmatch(number):
        raise InvalidInputException(
            f"contactEndpoint: {shown(number)} is not an E.164 phone number: write + and the country code, then "
            "the number, at most 15 digits and no spaces (e.g. +14255550100)."
        )
    country = _phone_country(number)
    if country is None:
        raise InvalidInputException(f"contactEndpoint: {shown(number)} is not a valid phone number.")
    if EVERY_COUNTRY not in allowed_countries and country not in allowed_countries:
        where = ", ".join(sorted(allowed_countries)) or "none: SMS is disabled"
        raise InvalidInputException(
            f"contactEndpoint: SMS to {country} numbers is not allowed on this server (allowed countries: {where}); "
            "the operator chooses them with --sms-countries."
        )
    return number


@lru_cache(maxsize=4096)
def _phone_country(number: str) -> str | None:
    """The region of an E.164 ``number``, or None when it is no valid number. Parsing it against phonenumbers'
    metadata costs some 15 us, and the same few on-call numbers come back again and again: one is registered in
    every region (and often every account) whose alarms it should receive."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    return str(phonenumbers.region_code_for_number(parsed)) if phonenumbers.is_valid_number(parsed) else None


def contact_method_to_wire(cm: ContactMethod, now: float) -> dict[str, Any]:
    """The wire shape of ``cm`` as of ``now``. Shared between calls (the same contact method is listed again and
    again, and its wire shape depends only on it and its status): callers must not change it."""
    return _wire(cm, cm.status_at(now))


@lru_cache(maxsize=4096)
def _wire(cm: ContactMethod, status: str) -> dict[str, Any]:
    return {
        # An email left unverified past its deadline loses its address in Lightsail's output.
        "contactEndpoint": None if status == INVALID else cm.contact_endpoint,
        "status": status,
        "protocol": cm.protocol,
        "name": cm.name,
        "arn": cm.arn,
        "createdAt": cm.created_at,
        "location": {"availabilityZone": "all", "regionName": cm.region},
        "resourceType": RESOURCE_TYPE,
        "supportCode": f"{cm.account_id}/{cm.id}",
        "tags": tags_to_wire(cm.tags),
    }


async def create_contact_method(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    protocol, endpoint = params["protocol"], params["contactEndpoint"]
    tags = parse_tags(params.get("tags"))
    if protocol == EMAIL:
        endpoint = check_email(endpoint)
    else:
        if ctx.region not in svc.rules.sms_regions:
            where = ", ".join(sorted(svc.rules.sms_regions)) or "no region (SMS is disabled)"
            raise InvalidInputException(
                f"protocol: SMS contact methods are not supported in {ctx.region}; they are supported in {where}."
            )
        endpoint = check_phone_number(endpoint, svc.rules.sms_countries)
    now = svc.clock()
    cm = ContactMethod(
        account_id=ctx.account_id,
        region=ctx.region,
        protocol=protocol,
        contact_endpoint=endpoint,
        status=PENDING_VERIFICATION if protocol == EMAIL else VALID,
        id=new_id(),
        created_at=now,
        tags=tags,
    )
    op = new_operation(ctx, cm.name, RESOURCE_TYPE, "CreateContactMethod", now)
    if protocol == EMAIL:
        # A create refused as a duplicate below would send nothing: only a create that can succeed is limited.
        if not await svc.store.list_contact_methods(scope_of(ctx), [EMAIL]):
            await check_verification_allowed(svc.store, svc.rules.limits, scope_of(ctx), VERIFICATION_KIND, now)
        token, message = new_verification(svc, cm, now)
        cm = replace(cm, verification_expires_at=token.expires_at)
        create = svc.store.create_contact_method(cm, op, [message], token)
    else:
        create = svc.store.create_contact_method(cm, op)
    try:
        await create
    except ContactMethodExists as exc:
        existing = exc.existing
        raise InvalidInputException(
            f"protocol: this account already has an {protocol} contact method in {ctx.region} "
            f"({existing.name}, {existing.contact_endpoint}); delete it with DeleteContactMethod to use another."
        ) from None
    return operations_result(op)


async def get_contact_methods(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    protocols = params.get("protocols") or None
    methods = await svc.store.list_contact_methods(scope_of(ctx), protocols)
    now = svc.clock()
    statuses = [cm.status_at(now) for cm in methods]
    # The answer clients repeat most: while the store hands out the same contact methods with the same statuses,
    # the same result goes back, and the serializer sends its bytes again.
    key = (ctx.account_id, ctx.region, tuple(protocols) if protocols else None)
    kept = _answers.get(key)
    if (
        kept is not None
        and len(kept[0]) == len(methods)
        and all(map(operator.is_, kept[0], methods))
        and kept[1] == statuses
    ):
        return kept[2]
    answer = SharedResult(contactMethods=[_wire(cm, status) for cm, status in zip(methods, statuses, strict=True)])
    if len(_answers) >= _ANSWERS_KEPT:
        _answers.clear()
    _answers[key] = (methods, statuses, answer)
    return answer


async def delete_contact_method(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    protocol = params["protocol"]
    op = new_operation(
        ctx, contact_method_name(protocol, ctx.region), RESOURCE_TYPE, "DeleteContactMethod", svc.clock()
    )
    try:
        await svc.store.delete_contact_method(scope_of(ctx), protocol, op)
    except RecordNotFound:
        raise NotFoundException(f"protocol: there is no {protocol} contact method in {ctx.region}.") from None
    return operations_result(op)


async def send_contact_method_verification(
    svc: Services, ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    # The model's enum for this protocol is Email alone, so SMS never gets this far.
    missing = NotFoundException(f"protocol: there is no Email contact method in {ctx.region} to verify.")
    found = await svc.store.list_contact_methods(scope_of(ctx), [EMAIL])
    if not found:
        raise missing
    cm = found[0]
    already = InvalidInputException(f"protocol: the Email contact method {cm.contact_endpoint} is already verified.")
    if cm.status == VALID:
        raise already
    now = svc.clock()
    await check_verification_allowed(svc.store, svc.rules.limits, scope_of(ctx), VERIFICATION_KIND, now)
    token, message = new_verification(svc, cm, now)
    op = new_operation(ctx, cm.name, RESOURCE_TYPE, "SendContactMethodVerification", now)
    try:
        await svc.store.restart_verification(cm, token, op, [message])
    except RecordNotFound:
        raise missing from None
    except AlreadyVerified:
        raise already from None
    return operations_result(op)
