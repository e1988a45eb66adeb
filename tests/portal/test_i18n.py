"""Languages: locale selection, the switcher, right-to-left pages, formats and complete catalogs."""

from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask_babel import format_date

from lms.auth.models import User
from lms.config import ROOT
from lms.extensions import db
from tests.factories import create_user


def test_english_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


def test_browser_language_is_used_before_login(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr" dir="ltr">' in page.get_data(as_text=True)


def test_profile_language_wins_over_browser(app, client, auth):
    with app.app_context():
        create_user("amina", locale="ar")
        db.session.commit()
    auth.login("amina")
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.parametrize("lang", ["ar", "ur"])
def test_arabic_and_urdu_pages_are_right_to_left(client, lang):
    response = client.post("/language", data={"lang": lang, "next": "/login"})
    assert response.status_code == 303
    page = client.get("/login").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="rtl">' in page


def test_switcher_saves_choice_in_profile(app, client, auth):
    with app.app_context():
        create_user("amina", locale="en")
        db.session.commit()
    auth.login("amina")
    client.post("/language", data={"lang": "ne", "next": "/account"})
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(username="amina")).locale == "ne"


def test_switcher_refuses_unknown_language_and_foreign_redirect(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_every_page_has_the_language_switcher(app, client, auth):
    with app.app_context():
        create_user("amina")
        db.session.commit()
    auth.login("amina")
    for url in ("/", "/account", "/account/password", "/about"):
        assert 'name="lang"' in client.get(url).get_data(as_text=True), url


def test_dates_follow_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_date(date(2027, 3, 1), "long") == "1 mars 2027"
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert "مارس" in format_date(date(2027, 3, 1), "long")


def test_translated_page_shows_translated_text(app, client):
    catalog_path = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with open(catalog_path, "rb") as fh:
        catalog = read_po(fh, locale="fr")
    expected = catalog.get("Sign in").string
    client.post("/language", data={"lang": "fr", "next": "/login"})
    assert expected and expected in client.get("/login").get_data(as_text=True)
