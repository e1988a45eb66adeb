"""Security headers and the rules every response follows."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

# Nothing is loaded from another origin: no CDN, no web font, no analytics.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "img-src 'self' data:; "
    "style-src 'self'; "
    "script-src 'self'; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


# Every response carries these, unless a view set its own.
ALWAYS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class PortalSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except for LRS requests that bring their own credentials.

    An LRS client authenticates every request with HTTP Basic; it has no portal session to
    read, and none is made for it (no cookie is set on its responses).
    """

    def open_session(self, app, request):
        if request.path.startswith("/xapi/") and "Authorization" in request.headers:
            return self.make_null_session(app)
        return super().open_session(app, request)


def add_missing(headers, pairs) -> set[str]:
    """Add each (name, value) whose header the response does not carry yet (one pass over the
    headers, where ``setdefault`` scans them once per name); return the names present before,
    in lower case."""
    present = {key.lower() for key, _ in headers}
    for name, value in pairs:
        if name.lower() not in present:
            headers.add(name, value)
    return present


def init_app(app: Flask) -> None:
    app.session_interface = PortalSessionInterface()

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        present = add_missing(headers, ALWAYS)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html" and "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        return response
