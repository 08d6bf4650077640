"""Slow clients (slowloris) against the documented deployment: nginx in front of gunicorn.

Bare gunicorn sync workers each serve one connection at a time, so a handful of clients
that never finish their request hold every worker; through nginx, configured with the
shipped deploy/nginx/survey_app.conf, other requests are still answered at once.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from bench.servers import app_environment, free_port, gunicorn

ROOT = Path(__file__).resolve().parent.parent
PROXY_CONF = ROOT / "deploy" / "nginx" / "survey_app.conf"
WORKERS = 2
SLOW_CLIENTS = 10
#: Requests that never end: headers whose closing blank line never comes, and a form post
#: whose body stops short (the login form reads its body, as every form does).
UNFINISHED = (
    b"GET /livez HTTP/1.1\r\nHost: localhost\r\nX-Padding: ",
    b"POST /staff/login HTTP/1.1\r\nHost: localhost\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\nemail=",
)


def get_livez(port: int, timeout: float) -> int | None:
    """The status of GET /livez, None when nothing answered within `timeout`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/livez")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


@contextmanager
def slow_clients(port: int) -> Iterator[None]:
    """SLOW_CLIENTS connections, each part of the way into a request it never finishes."""
    with ExitStack() as stack:
        for number in range(SLOW_CLIENTS):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sock.sendall(UNFINISHED[number % len(UNFINISHED)])
        time.sleep(0.5)  # let the server pick them up
        yield


@contextmanager
def nginx(upstream: int, folder: Path) -> Iterator[int]:
    """nginx on a free loopback port in front of `upstream`, with the shipped include."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is not installed (Debian: apt-get install nginx-light); see README")
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    upstream survey_app {{ server 127.0.0.1:{upstream}; }}
    server {{
        listen 127.0.0.1:{port};
        include {PROXY_CONF};
    }}
}}
"""
    )
    log = folder / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603  # the system's nginx, our own config
            [binary, "-p", str(folder), "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10
        while get_livez(port, timeout=1) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_slow_clients_hold_bare_gunicorn_but_not_gunicorn_behind_nginx(tmp_path):
    instance = tmp_path / "instance"
    env = app_environment(f"sqlite:///{tmp_path / 'survey.db'}", instance)
    with gunicorn(env, tmp_path, workers=WORKERS) as server, nginx(server.port, tmp_path) as port:
        with slow_clients(port):
            started = time.monotonic()
            assert get_livez(port, timeout=5) == 200
            assert time.monotonic() - started < 2
        # The same slow clients straight at gunicorn: every worker waits on one of them.
        with slow_clients(server.port):
            assert get_livez(server.port, timeout=3) is None
        # Once they are gone, gunicorn answers again.
        assert get_livez(server.port, timeout=5) == 200
