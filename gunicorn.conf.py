"""gunicorn settings, read by ``gunicorn app:app`` started in this folder.

Each worker process serves several requests at once on threads and keeps client connections
open between requests: an LRS client posting statements one by one then pays neither a new TCP
connection per statement nor a worker blocked on the database. Flags on the command line
(``--workers 4``) override these; LMS_WORKERS and LMS_THREADS set them from the environment.
"""

import os

workers = int(os.environ.get("LMS_WORKERS", "2"))
worker_class = "lms.serving.BalancedThreadWorker"
threads = int(os.environ.get("LMS_THREADS", "4"))
keepalive = 15

# Keep-alive connections are spread over the workers (lms/serving.py): a worker serving well
# over its share of the requests closes a connection that has served at least
# LMS_REBALANCE_AFTER requests, and the client reconnects to a less busy worker. 0 turns it off.
from lms.serving import Balance  # noqa: E402

balance = Balance(min_requests=int(os.environ.get("LMS_REBALANCE_AFTER", "10")))


def pre_fork(server, worker):
    balance.assign(worker, server.WORKERS.values())


def post_fork(server, worker):
    balance.started(worker)


def child_exit(server, worker):
    balance.release(worker)


def pre_request(worker, req):
    balance.request_started(worker, req)


def post_request(worker, req, environ, resp):
    balance.request_finished(req)
