"""Gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app` (see `make serve`).

Meant to run behind a reverse proxy (nginx, Caddy) that terminates TLS and buffers slow
clients; every value can be overridden on the command line, and the SURVEY_* variables
below cover what changes from one host to the next.
"""

from __future__ import annotations

import os
from typing import Any


def _cores() -> int:
    # The CPUs this process may run on (a container's cpuset), not every CPU of the host.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")

# Why sync workers, (2 x cores) + 1 of them: the proxy buffers slow phone uploads and
# downloads, so a worker is busy only while the app computes, and the app's work (forms,
# PDF renders) is CPU-bound Python that threads of one process cannot run in parallel (the
# GIL). A sync worker rendering a PDF stops accepting, so the kernel hands participants to
# an idle worker; a gthread worker keeps accepting and makes them queue behind the render.
# Measured on 2 cores (`python -m bench load --scenarios burst --worker-class gthread
# --gunicorn-threads 4`): the same submissions per second, but p95 1.0-2.3 s against
# 0.55-0.9 s with sync. Without a buffering proxy in front, use gthread instead.
worker_class = "sync"
workers = int(os.environ.get("SURVEY_WORKERS", 2 * _cores() + 1))

# A 10,000-response report PDF takes seconds; 120 s leaves room for much larger ones before
# the master kills a worker it believes stuck. On SIGTERM, submissions in flight finish.
timeout = 120
graceful_timeout = 30

# Trust X-Forwarded-Proto (https) only from the proxy, so nobody else can fake it.
# Gunicorn does not rewrite REMOTE_ADDR from X-Forwarded-For: the app needs ProxyFix for that.
forwarded_allow_ips = os.environ.get("SURVEY_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
# The default format plus the client the proxy saw and the time taken (microseconds).
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

# Preload: the app (questionnaires, WeasyPrint, matplotlib) is imported once and shared
# copy-on-write, and a broken config or questionnaire stops the master before any worker
# starts. The cost: code changes need a restart, not a HUP.
preload_app = True


def post_fork(server: Any, worker: Any) -> None:
    """Give each worker its own database connections.

    Why: a pooled connection opened in the master (by anything the app did while loading)
    would be shared by every forked worker, and their queries would interleave on one
    socket. dispose(close=False) drops the pool without closing the master's sockets.
    """
    if not server.cfg.preload_app:
        return
    from survey_app.extensions import db

    with worker.app.wsgi().app_context():
        db.engine.dispose(close=False)


def on_starting(server: Any) -> None:
    """Import WeasyPrint in the master, so each worker's first PDF does not pay ~2 s for it.

    Why here: the app imports it lazily (participants' pages never need it), and with
    preload_app the workers share what the master imported.
    """
    import weasyprint  # noqa: F401
