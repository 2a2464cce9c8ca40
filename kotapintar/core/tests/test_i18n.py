"""The UI speaks Bahasa Indonesia by default and English on request, and the Indonesian catalogue is
complete: every message translated, nothing fuzzy, placeholders kept, the committed .mo up to date."""

import ast
import gettext
import re
from pathlib import Path

import pytest

from kotapintar.core.testing import make_city

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.fixture
def bandung(db):
    return make_city("32.73", "bandung")


def test_city_home_and_login_are_indonesian_by_default(client, bandung):
    home = page(client, "/bandung/")
    assert '<html lang="id">' in home
    for word in ("Layanan", "Pengumuman", "Masuk", "Bahasa"):
        assert word in home, word
    assert "Sign in" not in home and "Services" not in home

    login = page(client, "/accounts/login/")
    assert "Masuk" in login and "Lupa kata sandi?" in login and "Buat akun" in login
    assert "Sign in" not in login and "Forgot your password?" not in login


def test_english_after_choosing_it(client, bandung):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/bandung/"})
    assert response.status_code == 302

    home = page(client, "/bandung/")
    assert '<html lang="en">' in home
    for word in ("Services", "Announcements", "Sign in"):
        assert word in home, word
    assert "Layanan" not in home and "Masuk" not in home

    login = page(client, "/accounts/login/")
    assert "Sign in" in login and "Forgot your password?" in login
    assert "Masuk" not in login


def test_the_language_switch_is_a_get_form_that_returns_to_the_page(client, bandung):
    home = page(client, "/bandung/?tab=1")
    assert '<form action="/i18n/language/" method="get"' in home
    assert '<input name="next" type="hidden" value="/bandung/?tab=1">' in home
    assert "csrfmiddlewaretoken" not in home  # nothing on the anonymous page is sent by POST

    response = client.get("/i18n/language/", {"language": "en", "next": "/bandung/?tab=1"})
    assert response.status_code == 302 and response["Location"] == "/bandung/?tab=1"
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in page(client, "/bandung/")

    response = client.get("/i18n/language/", {"language": "id", "next": "/bandung/"})
    assert response.cookies["django_language"].value == "id"
    assert '<html lang="id">' in page(client, "/bandung/")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "http://testserver.evil.example/", "ftp://testserver/"])
def test_the_language_switch_redirects_only_within_the_site(client, bandung, target):
    response = client.get("/i18n/language/", {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/i18n/language/", {"language": "en"}, HTTP_REFERER=target)
    assert response["Location"] == "/"


def test_the_language_switch_falls_back_to_the_referring_page(client, bandung):
    response = client.get("/i18n/language/", {"language": "en"}, HTTP_REFERER="http://testserver/bandung/?a=1")
    assert response["Location"] == "/bandung/?a=1"


def test_the_language_switch_ignores_unknown_languages_and_posts(client, bandung):
    response = client.get("/i18n/language/", {"language": "fr", "next": "/bandung/"})
    assert response.status_code == 302 and "django_language" not in response.cookies
    assert client.post("/i18n/language/", {"language": "en"}).status_code == 405
    assert '<html lang="id">' in page(client, "/bandung/")


def test_an_english_browser_still_gets_indonesian(client, bandung):
    home = client.get("/bandung/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in home and "Layanan" in home


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgstr (unescaped), msgctxt, flags; the header entry is left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        if not lines:
            continue
        entry = {"msgid": "", "msgstr": "", "msgctxt": None, "flags": set(), "plural": False}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural"):
                entry["plural"], key = True, None
            elif line.startswith("msgctxt "):
                entry["msgctxt"], key = ast.literal_eval(line.split(" ", 1)[1]), None
            elif line.startswith(("msgid ", "msgstr ", "msgstr[")):
                key = "msgid" if line.startswith("msgid ") else "msgstr"
                entry[key] += ast.literal_eval(line.split(" ", 1)[1])
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry["msgid"]:
            entries.append(entry)
    return entries


def test_indonesian_catalogue_is_complete():
    po = LC_MESSAGES / "django.po"
    entries = read_po(po)
    assert len(entries) > 100
    assert "#, fuzzy" not in po.read_text(encoding="utf-8").split("\n\n", 1)[0], "the header is marked fuzzy"
    untranslated = [e["msgid"] for e in entries if not e["msgstr"].strip()]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    for e in entries:
        assert sorted(PLACEHOLDER.findall(e["msgid"])) == sorted(PLACEHOLDER.findall(e["msgstr"])), e["msgid"]
        for mark in "“”":
            assert e["msgid"].count(mark) == e["msgstr"].count(mark), e["msgid"]


def test_compiled_catalogue_matches_the_po():
    """The committed django.mo is what compilemessages makes of django.po (servers need no gettext)."""
    with open(LC_MESSAGES / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [e["msgid"] for e in read_po(LC_MESSAGES / "django.po") if not e["plural"] and e["msgstr"] != (
        compiled.gettext(e["msgid"]) if e["msgctxt"] is None else compiled.pgettext(e["msgctxt"], e["msgid"]))]
    assert not stale, f"django.mo is out of date; run compilemessages. Differs: {stale}"
