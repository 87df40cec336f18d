"""An access key of an lsnotify account, as a test hands it to a client."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    account_id: str

    def env(self) -> dict[str, str]:
        """The variables every AWS SDK reads its credentials from."""
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}
