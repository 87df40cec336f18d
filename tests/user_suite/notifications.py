"""A user's own code, as it might be in their project: it manages Lightsail notifications with plain boto3.

This directory is a sample user test suite (run by tests/inprocess/test_user_suite.py in a copy of its own, with no
server and no AWS credentials); it is not collected with lsnotify's own tests.
"""

from __future__ import annotations

import boto3


def ensure_email_alerts(address: str) -> str:
    """Make ``address`` the Email contact method of this account and region; return its status."""
    lightsail = boto3.client("lightsail")
    existing = lightsail.get_contact_methods(protocols=["Email"])["contactMethods"]
    if existing and existing[0]["contactEndpoint"] != address:
        lightsail.delete_contact_method(protocol="Email")
        existing = []
    if not existing:
        lightsail.create_contact_method(protocol="Email", contactEndpoint=address)
    status: str = lightsail.get_contact_methods(protocols=["Email"])["contactMethods"][0]["status"]
    return status


def page_on_call(number: str) -> bool:
    """Add an SMS contact method; False when Lightsail refuses the number."""
    lightsail = boto3.client("lightsail")
    try:
        lightsail.create_contact_method(protocol="SMS", contactEndpoint=number)
    except lightsail.exceptions.InvalidInputException:
        return False
    return True
