"""Web benchmark: `gdlab serve` under load, and the Optimizers page's slider -> redraw latency.

1. Load (loopback only, bounded): the server runs in its own process (``gdlab serve --port 0``);
   ``--clients`` concurrent clients (default 50), each sending ``--requests`` requests (default 8)
   that alternate ``POST /api/race`` and ``POST /api/race/stream`` (read to the end), a race of
   3 optimizers x 300 steps on Rosenbrock from a start of its own. Reported: requests/s, p50 and
   p99 latency (the stream's: to its last byte), errors (any status but 200, any transport error,
   a stream without its ``end`` event), and beside them, in the same run, the library's own time
   for the same race (``gdlab.race`` in this process, no server): the ratio is the server's cost.
   The whole load phase stops after ``--time-limit`` seconds.
2. Slider -> redraw (headless Debian chromium): the page with 5 optimizers x 1000 steps on
   Rosenbrock; the gd lr slider is moved one notch ``--moves`` times, ``--gap`` ms apart; each
   time the page records the milliseconds from the input event to the redrawn path (the
   request for that optimizer, the response, the restyled plots). Reported: p50, p90, max; and
   a fast drag (notches 16 ms apart), where a move waits for the request before it.

    python bench/bench_web.py [--clients 50] [--requests 8] [--moves 20] [--skip-browser]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

import httpx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
OPTIMIZERS = [{"name": "gd", "lr": 0.001}, {"name": "momentum", "lr": 0.001}, {"name": "adam", "lr": 0.05}]


def start_server():
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gdlab", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    url = proc.stdout.readline().split()[2].rstrip("/")
    for _ in range(200):
        try:
            httpx.get(url + "/healthz", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not start")


def pct(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


async def client(http, url, k, n_requests, deadline, out):
    for i in range(n_requests):
        if time.monotonic() > deadline:
            return
        body = {"function": "rosenbrock", "starts": [[-1.5 + 0.01 * k, 2.0]], "steps": 300, "optimizers": OPTIMIZERS}
        t0 = time.perf_counter()
        try:
            if i % 2 == 0:
                r = await http.post(url + "/api/race", json=body)
                ok = r.status_code == 200 and len(r.json()["runs"]) == 3
            else:
                ended = False
                async with http.stream("POST", url + "/api/race/stream", json=body) as r:
                    ok = r.status_code == 200
                    async for line in r.aiter_lines():
                        ended = ended or line == "event: end"
                ok = ok and ended
        except httpx.HTTPError:
            ok = False
        out.append((time.perf_counter() - t0, ok, i % 2))


async def load(url, clients, n_requests, time_limit):
    out = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        t0 = time.perf_counter()
        deadline = time.monotonic() + time_limit
        await asyncio.gather(*(client(http, url, k, n_requests, deadline, out) for k in range(clients)))
        wall = time.perf_counter() - t0
    return out, wall


def library_time(rounds=20):
    import gdlab

    specs = {o["name"]: {"optimizer": o["name"], "lr": o["lr"]} for o in OPTIMIZERS}
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        gdlab.race("rosenbrock", np.array([[-1.5, 2.0]]), specs, 300)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_load(args):
    proc, url = start_server()
    try:
        out, wall = asyncio.run(load(url, args.clients, args.requests, args.time_limit))
    finally:
        proc.terminate()
        proc.wait(10)
    lib = library_time()
    lat = [t for t, ok, _ in out]
    errors = sum(1 for _, ok, _ in out if not ok)
    print(f"load: {args.clients} concurrent clients x {args.requests} requests (race and stream alternating), "
          f"loopback, {os.cpu_count()} CPUs")
    print(f"  requests        {len(out)} in {wall:.2f} s = {len(out) / wall:.1f} requests/s")
    print(f"  latency         p50 {1000 * pct(lat, 50):.0f} ms   p99 {1000 * pct(lat, 99):.0f} ms   "
          f"max {1000 * max(lat):.0f} ms")
    for kind, name in ((0, "POST /api/race"), (1, "POST /api/race/stream")):
        sub = [t for t, ok, k in out if k == kind]
        print(f"  {name:22s} p50 {1000 * pct(sub, 50):.0f} ms   p99 {1000 * pct(sub, 99):.0f} ms")
    print(f"  errors          {errors}")
    print(f"  gdlab.race alone (same race, no server, median of 20): {1000 * lib:.1f} ms; "
          f"server throughput x library time = {len(out) / wall * lib:.2f} (1.0 = one core kept busy)")
    return errors


def bench_slider(args):
    sys.path.insert(0, ROOT)
    from playwright.sync_api import sync_playwright

    proc, url = start_server()
    query = ("/optimizers?f=rosenbrock&s=-1.5,2&o=gd;lr=0.001&o=momentum;lr=0.001&o=nesterov;lr=0.001"
             "&o=rmsprop;lr=0.01&o=adam;lr=0.05&steps=1000")
    done = ("() => { const l = window.gdlabLab; return document.body.dataset.ready === '1' && l && !l.playing && "
            "!l.streaming && l.inflight.size === 0 && l.pending.size === 0 && l.runs.length === 5 && "
            "l.runs.every(r => r && r.status); }")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + query)
            page.wait_for_function(done, timeout=60_000)
            slider = page.locator(".opt").nth(0).locator("input[type=range]")
            slider.focus()
            results = {}
            for name, gap, moves in (("one notch at a time", args.gap, args.moves), ("fast drag", 16, args.moves)):
                page.evaluate("window.gdlabLab.timings = []")
                for i in range(moves):
                    page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                    page.wait_for_timeout(gap)
                page.wait_for_function(done, timeout=60_000)
                results[name] = page.evaluate("window.gdlabLab.timings")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print("slider -> redrawn path, 5 optimizers x 1000 steps (Rosenbrock), headless chromium:")
    for name, t in results.items():
        print(f"  {name:20s} {len(t)} redraws: p50 {pct(t, 50):.0f} ms   p90 {pct(t, 90):.0f} ms   max {max(t):.0f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=8)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--gap", type=int, default=250, help="ms between slider notches")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    errors = bench_load(args)
    if not args.skip_browser:
        bench_slider(args)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
