"""GetContactMethods repeated: the answer kept between identical requests changes as soon as what it shows does.

The service hands out the same answer while the store's contact methods and their statuses are unchanged; each of
these is a way for them to change between two identical requests, through the real app and boto3.
"""

from __future__ import annotations

import boto3

from lsnotify.clock import OffsetClock
from lsnotify.config import Settings
from lsnotify.testing import mock_lightsail


def test_each_change_shows_in_the_next_identical_read() -> None:
    clock = OffsetClock(0)
    settings = Settings(verification_ttl=3600, signature_max_skew=7200)
    with mock_lightsail(settings=settings, clock=clock):
        lightsail = boto3.client("lightsail", region_name="us-east-1")
        assert lightsail.get_contact_methods()["contactMethods"] == []
        lightsail.create_contact_method(protocol="Email", contactEndpoint="repeat@example.com")
        (cm,) = lightsail.get_contact_methods()["contactMethods"]
        assert cm["status"] == "PendingVerification" and cm["tags"] == []
        assert lightsail.get_contact_methods()["contactMethods"] == [cm]  # unchanged: the same answer again

        lightsail.tag_resource(resourceName="Email-us-east-1", tags=[{"key": "team", "value": "sre"}])
        (tagged,) = lightsail.get_contact_methods()["contactMethods"]
        assert tagged["tags"] == [{"key": "team", "value": "sre"}]

        only_sms = lightsail.get_contact_methods(protocols=["SMS"])["contactMethods"]
        assert only_sms == []  # another question about the same scope has its own answer
        lightsail.create_contact_method(protocol="SMS", contactEndpoint="+14255550100")
        assert [m["protocol"] for m in lightsail.get_contact_methods(protocols=["SMS"])["contactMethods"]] == ["SMS"]
        assert len(lightsail.get_contact_methods()["contactMethods"]) == 2

        assert (
            lightsail.get_contact_methods(protocols=["Email"])["contactMethods"][0]["status"] == "PendingVerification"
        )
        clock.advance(3601)  # past the verification deadline: the status changes with nothing written
        email = lightsail.get_contact_methods(protocols=["Email"])["contactMethods"][0]
        assert email["status"] == "Invalid" and "contactEndpoint" not in email

        other = boto3.client("lightsail", region_name="eu-west-1")
        assert other.get_contact_methods()["contactMethods"] == []  # another scope, another answer

        lightsail.delete_contact_method(protocol="Email")
        assert [m["protocol"] for m in lightsail.get_contact_methods()["contactMethods"]] == ["SMS"]
