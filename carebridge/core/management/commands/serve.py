import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from carebridge.core.maintenance import database_analyze

# granian: a few processes, each with threads, so that a slow request does not hold up the
# board. Its HTTP handling is native code: under the booking benchmark it left the
# application 10 to 15 % more bookings per second than gunicorn's gthread workers on the
# same processes and threads. Any other granian option comes from its GRANIAN_* variables.
WEB_ARGUMENTS = ["--interface", "wsgi", "--access-log"]
# gunicorn's habit, not granian's default: a worker that dies is started again.
WEB_ARGUMENTS += ["--respawn-failed-workers"]
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30


class StopRequested(Exception):
    """Ctrl-C or SIGTERM arrived."""


def _request_stop(signum, frame):
    raise StopRequested


class Command(BaseCommand):
    help = (
        "Serve CareBridge with granian on HOST:PORT (default 127.0.0.1:8000) and run the "
        "task worker beside it; Ctrl-C or SIGTERM stops both."
    )

    def handle(self, *args, **options):
        host = os.environ.get("HOST") or "127.0.0.1"
        port = os.environ.get("PORT") or "8000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"PORT: {port!r} is not a port number (1-65535)")
        database_analyze()
        signal.signal(signal.SIGTERM, _request_stop)
        signal.signal(signal.SIGINT, _request_stop)
        children: list[subprocess.Popen] = []
        try:
            children += [_start_web(host, port), _start_worker()]
            if _wait_until_listening(host, int(port), children):
                self._greet(host, port)
            if all(child.poll() is None for child in children):
                # WNOWAIT leaves the ended child for Popen to reap, so its exit code is kept.
                os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
            ended = next(child for child in children if child.poll() is not None)
        except StopRequested:
            ended = None
        finally:
            _stop(children)
        if ended is not None:
            raise CommandError(f"{_name(ended)} exited with code {ended.returncode}")
        self.stdout.write("CareBridge stopped.")

    def _greet(self, host: str, port: str) -> None:
        self.stdout.write(f"CareBridge is running at http://{_url_host(host)}:{port}/")
        logins_file = settings.CAREBRIDGE_HOME / "demo-logins.json"
        if logins_file.exists():
            demo = json.loads(logins_file.read_text(encoding="utf-8"))
            self.stdout.write(f"Demo clinic '{demo['organization']}'; sign in as:")
            for user in demo["users"]:
                self.stdout.write(
                    f"  {user['username']:<16} password {user['password']:<24} ({user['role']})"
                )
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()


def web_server_command(application: str, host: str, port: str) -> list[str]:
    """granian serving the WSGI `application` on host:port, with the processes, threads and
    the rest of its settings as the environment asks."""
    workers, threads = _count("WEB_CONCURRENCY", "3"), _count("WEB_THREADS", "4")
    command = [sys.executable, "-m", "granian", "--host", host.strip("[]"), "--port", port]
    command += ["--workers", workers, "--blocking-threads", threads, *WEB_ARGUMENTS]
    return [*command, application]


def _start_web(host: str, port: str) -> subprocess.Popen:
    command = web_server_command("carebridge.wsgi:application", host, port)
    return subprocess.Popen(command, process_group=0)  # noqa: S603 - a fixed program, no shell


def _count(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    if not value.isdigit() or int(value) < 1:
        raise CommandError(f"{name}: {value!r} is not a whole number of at least 1")
    return value


def _start_worker() -> subprocess.Popen:
    # `python -m django` reads DJANGO_SETTINGS_MODULE, which this process already carries.
    return subprocess.Popen([sys.executable, "-m", "django", "worker"], process_group=0)


def _wait_until_listening(host: str, port: int, children: list[subprocess.Popen]) -> bool:
    """Wait for the web server to answer HTTP, so the URL is printed once it works. Any answer
    will do: ALLOWED_HOSTS may refuse the probe's Host header, yet the server is up."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            return False
        probe = http.client.HTTPConnection(_url_host(host).strip("[]"), port, timeout=2)
        try:
            probe.request("GET", "/healthz")
            probe.getresponse()
            return True
        except OSError:
            time.sleep(0.2)
        finally:
            probe.close()
    return False


def _stop(children: list[subprocess.Popen]) -> None:
    """SIGTERM lets the web server finish open requests and the worker finish its task."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        # Each child leads a process group of its own. Whatever it leaves behind goes too:
        # granian, stopped while it starts a worker again, leaves that worker serving.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def _name(child: subprocess.Popen) -> str:
    return "the web server" if "granian" in child.args else "the task worker"


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # noqa: S104 - a bind address, shown as a reachable URL
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
