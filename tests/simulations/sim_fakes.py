"""A fake portal + LRS for the tracking and launch tests, bound to 127.0.0.1 only."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
TOKEN = "c2VjcmV0LXRva2Vu"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class FakePortal:
    """Implements the portal side of the launch protocol and a minimal statement store."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.statements: dict[str, dict] = {}
        self.order: list[str] = []
        self.puts: list[str] = []
        self.fetch_tokens: dict[str, bool] = {}
        self.join_codes: dict[str, str] = {}
        self.launch_data: dict = {}
        self.fail_once: set[str] = set()  # store, then answer 500 (a lost answer)
        self.bad_headers: list[str] = []
        self.accepted_auth = {f"Basic {TOKEN}"}
        self.preferences: dict = {}
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # -- lifecycle --

    def start(self) -> FakePortal:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status, body=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _xapi_ok(self):
                ok = (
                    self.headers.get("Authorization") in portal.accepted_auth
                    and self.headers.get("X-Experience-API-Version") == "1.0.3"
                )
                if not ok:
                    portal.bad_headers.append(self.path)
                    self._send(401, {"error": "unauthorised"})
                return ok

            def do_POST(self):
                path = urllib.parse.urlparse(self.path).path
                if path.startswith("/exercises/fetch/"):
                    key = path.rsplit("/", 1)[-1]
                    if portal.fetch_tokens.get(key) is False:
                        portal.fetch_tokens[key] = True
                        return self._send(200, {"auth-token": TOKEN})
                    return self._send(
                        200, {"error-code": "1", "error-text": "This launch has already been used"}
                    )
                return self._send(404, {"error": "not found"})

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path.startswith("/exercises/join/"):
                    code = urllib.parse.unquote(url.path.rsplit("/", 1)[-1])
                    if code in portal.join_codes:
                        return self._send(200, {"launch_url": portal.join_codes[code]})
                    return self._send(404, {"error": "unknown or expired join code"})
                if not self._xapi_ok():
                    return None
                if url.path == "/xapi/agents/profile":
                    if query.get("profileId") == "cmi5LearnerPreferences" and portal.preferences:
                        return self._send(200, portal.preferences)
                    return self._send(404, {"error": "no such document"})
                if url.path == "/xapi/activities/state":
                    if query.get("stateId") == "LMS.LaunchData" and portal.launch_data:
                        return self._send(200, portal.launch_data)
                    return self._send(404, {"error": "no such document"})
                if url.path == "/xapi/statements" and "statementId" in query:
                    stored = portal.statements.get(query["statementId"])
                    if stored is None:
                        return self._send(404, {"error": "no such statement"})
                    return self._send(
                        200, dict(stored, stored="2026-01-01T00:00:00.000Z", version="1.0.3")
                    )
                return self._send(404, {"error": "not found"})

            def do_PUT(self):
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"null")
                if not self._xapi_ok():
                    return None
                if url.path != "/xapi/statements" or "statementId" not in query:
                    return self._send(404, {"error": "not found"})
                sid = query["statementId"]
                portal.puts.append(sid)
                if sid in portal.statements:
                    if portal.statements[sid] == body:
                        return self._send(204)
                    return self._send(409, {"error": "conflict"})
                portal.statements[sid] = body
                portal.order.append(sid)
                if sid in portal.fail_once:
                    portal.fail_once.discard(sid)
                    return self._send(500, {"error": "lost answer"})
                return self._send(204)

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer((HOST, self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None

    # -- helpers --

    def new_launch(
        self, scenario="poc-camp", lang="fr", seed=1234, mastery=0.7, fetch_key="f1"
    ) -> str:
        actor = {
            "objectType": "Agent",
            "name": "Capt. Controller",
            "account": {"homePage": self.base, "name": "controller-1"},
        }
        registration = "8f1c9a52-2d0e-4c55-9d43-6a7f0e1b2c3d"
        activity = f"{self.base}/xapi/activities/exercise/{scenario}"
        self.fetch_tokens[fetch_key] = False
        params = {
            "scenario": scenario,
            "lang": lang,
            "seed": seed,
            "teams": [
                {
                    "id": "command",
                    "name": "Command post",
                    "members": [
                        {
                            "agent": {
                                "objectType": "Agent",
                                "account": {"homePage": self.base, "name": "u-101"},
                            },
                            "role": "company-commander",
                        }
                    ],
                },
                {
                    "id": "field",
                    "name": "Field team",
                    "members": [
                        {
                            "agent": {
                                "objectType": "Agent",
                                "account": {"homePage": self.base, "name": "u-102"},
                            },
                            "role": "patrol-leader",
                        }
                    ],
                },
            ],
        }
        if lang is None:
            del params["lang"]
        self.launch_data = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"id": activity, "objectType": "Activity"}]},
                "extensions": {
                    "https://w3id.org/xapi/cmi5/context/extensions/sessionid": "0b7c3e1e-9d5c-4a0a-8f35-1c2d3e4f5a6b"
                },
            },
            "launchMode": "Normal",
            "moveOn": "CompletedAndPassed",
            "masteryScore": mastery,
            "returnURL": f"{self.base}/exercises/runs/1",
            "launchParameters": json.dumps(params),
        }
        query = urllib.parse.urlencode(
            {
                "endpoint": f"{self.base}/xapi/",
                "fetch": f"{self.base}/exercises/fetch/{fetch_key}",
                "actor": json.dumps(actor),
                "registration": registration,
                "activityId": activity,
            }
        )
        return f"{self.base}/exercises/launch?{query}"
