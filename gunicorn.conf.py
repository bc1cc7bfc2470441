"""Gunicorn configuration: `gunicorn -c gunicorn.conf.py` (docker-compose, the Dockerfile and
the production smoke test all start the web node this way). Every knob has an environment
variable; see the README's operations notes for how many workers per load."""

import gc
import os

wsgi_app = "um_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: requests are short (PDF rendering happens in Celery). About 2 per core.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Load the portal once in the master (um_portal/wsgi.py imports every view) and fork workers
# from it: a worker starts, and a recycled one restarts, in milliseconds rather than after a
# second of imports with requests queued behind it (issue #13: /healthz p99 1.1 s with
# recycling every 2,000 requests, 5 ms without). GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def pre_fork(server, worker):
    """In the master, before each fork: what it has loaded (Django, every view, the URL
    resolver: some 250,000 objects) moved out of the garbage collector's sight (gc.freeze,
    as the gc module's documentation advises for a parent that forks without exec). A
    worker's full collection then walks only its own objects: it walked all of them, 170-205
    ms of a request every few thousand (issue #13: the p99), and writing their headers dirtied
    the pages the workers share with the master."""
    gc.freeze()


# Recycle workers now and then (a slow leak in a library cannot grow forever), each after
# its own number of requests, between 10,000 and 15,000: a recycled worker is away for part
# of a second, and with a jitter of a tenth two busy workers reached their limits within a
# second of each other and were away together (issue #13: the p99 of a second after a
# burst was 600-800 ms; 95 ms without recycling).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 2
# Worker heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# X-Forwarded-Proto is trusted only from these addresses (the reverse proxy in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
control_socket_disable = True

# Logs to stdout/stderr. The access log has the path without its query string (%(U)s, not
# %(r)s): query strings may carry member numbers, and no log may hold PHI.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
