"""Branding: an admin sets the company name, accent colour, logo and the reps' language; a rep
uploads their photo; prospects see them on the booking and cancel pages and in e-mails.
Uploads are checked by their bytes and size, and served with a type that cannot run."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.images import rep_key
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.support.dashboard import login, make_account


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (a grey square), made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


@dataclass
class Site:
    c: Container
    admin: TestClient
    rep: TestClient
    admin_csrf: str
    rep_csrf: str


@pytest.fixture
def site(db_url: str) -> Iterator[Site]:
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False,
                           public_base_url="https://book.acme.test"))  # fmt: skip
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(c.workspace, booking_workspace())
    make_account(c, "boss@acme.test", admin=True)
    make_account(c, "rep0@acme.test", admin=False)
    app = create_app(c.settings, container=c)
    admin = TestClient(app, base_url="https://testserver", follow_redirects=False)
    rep = TestClient(app, base_url="https://testserver", follow_redirects=False)
    yield Site(c, admin, rep, login(admin, "boss@acme.test"), login(rep, "rep0@acme.test"))
    c.close()


def brand(site: Site, files: dict[str, tuple[str, bytes, str]] | None = None, **form: str):  # type: ignore[no-untyped-def]
    data = {"csrf": site.admin_csrf, "company_name": "Acme GmbH", "accent_color": "#0B7A75",
            "language": "de", **form}  # fmt: skip
    return site.admin.post("/dashboard/branding", data=data, files=files)


def test_the_admin_brands_the_pages_prospects_see(site: Site) -> None:
    r = brand(site, files={"logo": ("logo.png", png(), "image/png")})
    assert r.status_code == 303, r.text
    saved = export_workspace(site.c.workspace)
    assert saved["branding"] == {"company_name": "Acme GmbH", "accent_color": "#0b7a75"}
    assert saved["language"] == "de"
    page = site.admin.get("/c/solo", params={"email": "pat@example.test"})
    assert ":root { --accent: #0b7a75; }" in page.text
    assert '<img class="logo" src="/img/logo?v=' in page.text
    assert "<title>Solo · Acme GmbH</title>" in page.text
    logo = site.admin.get(page.text.split('<img class="logo" src="')[1].split('"')[0])
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/png"
    assert logo.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in logo.headers["content-security-policy"]
    assert logo.content == png()


@pytest.mark.parametrize(
    ("form", "files", "message"),
    [
        ({"accent_color": "teal"}, None, "write the colour as # and six hex digits, e.g. #0b7a75"),
        ({}, {"logo": ("x.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")},
         "use a PNG, JPEG, WebP or GIF image"),
        ({}, {"logo": ("big.png", png() + b"\0" * (1024 * 1024), "image/png")},
         "the image is 1024 KB: at most 1024 KB, please"),
    ],
)  # fmt: skip
def test_bad_branding_is_refused_in_words_and_nothing_is_kept(
    site: Site, form: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None, message: str
) -> None:
    before = export_workspace(site.c.workspace)
    r = brand(site, files=files, **form)
    assert r.status_code == 422
    assert message in r.text
    assert 'aria-invalid="true"' in r.text
    assert export_workspace(site.c.workspace) == before
    assert site.c.images.image("logo") is None


def test_a_rep_uploads_a_photo_shown_on_their_booking_and_cancel_pages(site: Site) -> None:
    page = site.rep.get("/dashboard/me")
    assert 'href="/dashboard/me/photo"' in page.text
    r = site.rep.post("/dashboard/me/photo", data={"csrf": site.rep_csrf},
                      files={"photo": ("me.png", png(), "image/png")})  # fmt: skip
    assert r.status_code == 303
    key = rep_key("rep0@acme.test")
    assert "rep0" not in key  # the address of the photo never shows the rep's e-mail
    booking = site.admin.get("/c/solo", params={"email": "pat@example.test"})
    assert f'<img class="photo" src="/img/{key}?v=' in booking.text
    assert '<p class="meta">with Rep' in booking.text
    # a page with a text "photo" is refused, and the photo stays
    fake = ("me.png", b"<html>not an image</html>", "image/png")
    r = site.rep.post("/dashboard/me/photo", data={"csrf": site.rep_csrf}, files={"photo": fake})
    assert r.status_code == 422
    assert "use a PNG, JPEG, WebP or GIF image" in r.text
    assert site.c.images.image(key) is not None
    r = site.rep.post("/dashboard/me/photo", data={"csrf": site.rep_csrf, "remove": "1"})
    assert r.status_code == 303
    assert site.c.images.image(key) is None
    assert site.admin.get(f"/img/{key}").status_code == 404


def test_a_rep_cannot_change_the_branding(site: Site) -> None:
    r = site.rep.post("/dashboard/branding", data={"csrf": site.rep_csrf, "company_name": "X"})
    assert r.status_code in (403, 404)
    assert "branding" not in export_workspace(site.c.workspace)
