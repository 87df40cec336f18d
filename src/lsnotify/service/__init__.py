"""The business rules of the Lightsail notifications API: pure functions of (services, context, params)."""
