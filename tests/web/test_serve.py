"""`gdlab serve`: prints its URL, serves, and stops cleanly on Ctrl-C (exit 0, no traceback)."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _start(*args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "gdlab", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_serve_prints_its_url_serves_and_stops_on_ctrl_c():
    proc = _start("--port", "0")
    try:
        line = proc.stdout.readline()
        assert line.startswith("gdlab lab: http://127.0.0.1:"), line
        url = line.split()[2]
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(url + "healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
        assert r.json()["status"] == "ok"
        assert httpx.get(url + "optimizers", timeout=5).status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert "stopped" in out


def test_a_busy_port_is_one_error_line_and_exit_2():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    port = sock.getsockname()[1]
    try:
        proc = _start("--port", str(port))
        out, err = proc.communicate(timeout=30)
    finally:
        sock.close()
    assert proc.returncode == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"gdlab: error: cannot listen on 127.0.0.1:{port}"), err


def test_serve_help_and_bad_port():
    out = subprocess.run([sys.executable, "-m", "gdlab", "serve", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--port" in out.stdout and "--open" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "gdlab", "serve", "--port", "70000"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("gdlab: error:") and "--port" in bad.stderr
