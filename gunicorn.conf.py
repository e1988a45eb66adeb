"""gunicorn settings, read by ``gunicorn app:app`` started in this folder.

Each worker process serves several requests at once on threads and keeps client connections
open between requests: an LRS client posting statements one by one then pays neither a new TCP
connection per statement nor a worker blocked on the database. Flags on the command line
(``--workers 4``) override these; LMS_WORKERS and LMS_THREADS set them from the environment.
"""

import os

workers = int(os.environ.get("LMS_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("LMS_THREADS", "4"))
keepalive = 15
