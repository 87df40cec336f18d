"""The console's session cookie as the app sets it behind an https public URL: Secure, HttpOnly, SameSite=Strict."""

from __future__ import annotations

from pathlib import Path

import httpx

from lsnotify.config import load_settings
from lsnotify.testing.asgi import Lifespan
from lsnotify.web.app import build_app


async def test_behind_https_the_session_cookie_is_secure(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path), "public_url": "https://console.example"}, {})
    app = build_app(settings).app
    lifespan = Lifespan(app)
    await lifespan.startup()
    try:
        pairs = dict(
            line.split(" = ", 1) for line in (tmp_path / "credentials").read_text().splitlines() if " = " in line
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://console.example") as client:
            signed_in = await client.post(
                "/console/signin",
                data={
                    "access_key_id": pairs["aws_access_key_id"],
                    "secret_access_key": pairs["aws_secret_access_key"],
                },
            )
            assert signed_in.status_code == 303
            attributes = {part.strip().split("=")[0].lower() for part in signed_in.headers["set-cookie"].split(";")}
            assert {"secure", "httponly", "samesite", "max-age", "path"} <= attributes
            assert "samesite=strict" in signed_in.headers["set-cookie"].lower()
            assert "max-age=28800" in signed_in.headers["set-cookie"].lower()
            home = await client.get(signed_in.headers["location"])
            assert home.status_code == 200 and "Notification contacts" in home.text
    finally:
        await lifespan.shutdown()
