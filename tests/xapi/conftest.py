"""Fixtures for the LRS tests: an LRS client with Basic credentials, an xAPI request helper."""

from __future__ import annotations

import base64
import json

import pytest

from lms.extensions import db
from lms.xapi import auth


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class LRS:
    """Sends xAPI requests with the version header and a client's credentials."""

    def __init__(self, client, authorization: str | None, version: str = "1.0.3"):
        self.client = client
        self.authorization = authorization
        self.version = version

    def headers(self, extra: dict | None = None) -> dict:
        headers = {}
        if self.version:
            headers["X-Experience-API-Version"] = self.version
        if self.authorization:
            headers["Authorization"] = self.authorization
        headers.update(extra or {})
        return {k: v for k, v in headers.items() if v is not None}

    def request(self, method, path, *, params=None, json_body=None, data=None, headers=None):
        if json_body is not None:
            data = json.dumps(json_body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        return self.client.open(
            "/xapi/" + path,
            method=method,
            query_string=params,
            data=data,
            headers=self.headers(headers),
        )

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)


def make_client(app, name="Field kit Alpha", scopes=None) -> tuple[str, str]:
    with app.app_context():
        client, secret = auth.create_client(db.session, name, scopes)
        db.session.commit()
        return client.key, secret


@pytest.fixture
def credentials(app):
    return make_client(app)


@pytest.fixture
def lrs(client, credentials):
    return LRS(client, basic(*credentials))


@pytest.fixture
def make_lrs(app, client):
    def factory(scopes=None, name="Second client", version="1.0.3"):
        return LRS(client, basic(*make_client(app, name, scopes)), version)

    return factory
