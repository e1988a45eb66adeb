"""A WSGI app for the worker-balancing tests: each request keeps its worker busy for a while
(holding the interpreter, as the portal's Python does) and answers with the worker's pid."""

import os
import time


def app(environ, start_response):
    until = time.process_time() + 0.015
    while time.process_time() < until:
        pass
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
