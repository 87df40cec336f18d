"""The console calls the API's handlers, so the API's limits hold there too: a refusal is shown on the page."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from lsnotify.config import load_settings
from lsnotify.testing.asgi import Lifespan
from lsnotify.web.app import build_app

ORIGIN = "http://console.example"


async def test_a_verification_resent_too_soon_is_refused_on_the_page(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path), "public_url": ORIGIN}, {})  # the default limits
    app = build_app(settings).app
    lifespan = Lifespan(app)
    await lifespan.startup()
    try:
        lines = (tmp_path / "credentials").read_text().splitlines()
        key = dict(line.split(" = ", 1) for line in lines if " = " in line)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN, headers={"origin": ORIGIN}) as console:
            form = {"access_key_id": key["aws_access_key_id"], "secret_access_key": key["aws_secret_access_key"]}
            assert (await console.post("/console/signin", data=form)).status_code == 303
            page = await console.get("/console/us-east-1/")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert csrf is not None
            email = {"protocol": "Email", "contactEndpoint": "ops@example.com", "csrf_token": csrf[1]}
            assert (await console.post("/console/us-east-1/contacts/add", data=email)).status_code == 303
            resend = {"protocol": "Email", "csrf_token": csrf[1]}
            again = await console.post("/console/us-east-1/contacts/resend", data=resend)
            assert again.status_code == 400
            assert "verification emails of the Email contact method in us-east-1 are limited to one every" in again.text
            assert "The next one is allowed at" in again.text
    finally:
        await lifespan.shutdown()
