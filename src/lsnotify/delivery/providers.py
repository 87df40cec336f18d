"""Builds delivery from the settings: one sender for Email and one for SMS, chosen by name (no plugins), and the
worker that uses them."""

from __future__ import annotations

from lsnotify.clock import Clock
from lsnotify.config import Settings
from lsnotify.delivery.capture import CaptureSender
from lsnotify.delivery.gate import Gate
from lsnotify.delivery.quota import Quota
from lsnotify.delivery.render import Renderer
from lsnotify.delivery.retry import RetryPolicy
from lsnotify.delivery.senders import Sender
from lsnotify.delivery.sms import SnsSender, WebhookSender
from lsnotify.delivery.smtp import SmtpSender
from lsnotify.delivery.worker import DeliveryObserver, Worker, WorkerOptions
from lsnotify.domain.contacts import EMAIL, SMS
from lsnotify.identity import SecretBox
from lsnotify.storage.base import Store


def build_worker(
    settings: Settings, store: Store, box: SecretBox, clock: Clock, observe: DeliveryObserver | None = None
) -> Worker:
    return Worker(
        store=store,
        senders=build_senders(settings, store, clock),
        renderer=Renderer(box, settings.effective_public_url),
        gate=Gate(store, box),
        policy=RetryPolicy(
            max_attempts=settings.delivery_max_attempts,
            max_age=settings.delivery_max_age,
            base_delay=settings.retry_base_delay,
            max_delay=settings.retry_max_delay,
        ),
        options=WorkerOptions(
            poll_interval=settings.worker_poll_interval,
            batch_size=settings.worker_batch_size,
            concurrency=settings.worker_concurrency,
            lease_timeout=settings.worker_lease_timeout,
            retention=settings.outbox_retention,
        ),
        clock=clock,
        observe=observe,
        quota=Quota(store, {EMAIL: settings.emails_per_hour, SMS: settings.sms_per_hour}),
    )


def build_senders(settings: Settings, store: Store, clock: Clock) -> dict[str, Sender]:
    """The sender of each protocol; one capture sender serves both when both capture."""
    capture = CaptureSender(store, clock)
    email: Sender = smtp_sender(settings) if settings.email_provider == "smtp" else capture
    sms: Sender = capture
    if settings.sms_provider == "sns":
        sms = SnsSender(
            endpoint_url=settings.sns_endpoint_url,
            region=settings.sns_region,
            access_key_id=settings.sns_access_key_id,
            secret_access_key=settings.sns_secret_access_key,
            timeout=settings.sms_timeout,
        )
    elif settings.sms_provider == "webhook":
        sms = WebhookSender(url=settings.webhook_url, secret=settings.webhook_secret, timeout=settings.sms_timeout)
    return {EMAIL: email, SMS: sms}


def smtp_sender(settings: Settings) -> SmtpSender:
    """The SMTP sender the settings describe, keeping as many connections as the worker sends at once."""
    return SmtpSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_tls,
        start_tls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
        ca_file=settings.smtp_ca_file,
        timeout=settings.smtp_timeout,
        email_from=settings.email_from,
        pool_size=settings.worker_concurrency,
    )
