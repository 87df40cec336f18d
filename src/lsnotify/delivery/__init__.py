"""Delivery of outbox messages: the worker, its retry policy, and the email and SMS senders."""
