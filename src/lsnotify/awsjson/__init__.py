"""AWS JSON 1.1 for Lightsail: bytes in, (operation, params) out, and back. Knows no business rule."""
