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

3. Trainings (the Networks page's API): ``--trainings`` concurrent clients (default 20), each
   streaming one training (``POST /api/train/stream``: a 2-4-4-1 net on 200 moons points, batch
   10, ``--train-epochs`` epochs, a frame every 5) to its ``end`` event. Reported: errors (a status
   but 200, an ``error`` event, a missing frame), p50/p99 time to the last byte, and beside them
   the library's own time for the same training (``gdlab.nn.playground`` in this process).
4. Boundary frame rate, a 2-8-8-1 net on 500 points (250 train, batch 10, 1 epoch a frame):
   the server's (``POST /api/train/session/{id}/advance`` one after another, each frame with the
   boundary, the neurons and the weights) beside the library's time for the same epoch and
   frame; and the page's (headless chromium playing for ``--play`` seconds: frames drawn per
   second, from ``window.gdlabNet``).

    python bench/bench_web.py [--clients 50] [--requests 8] [--moves 20] [--trainings 20] [--skip-browser]
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


TRAIN = {"dataset": "moons", "n_samples": 200, "noise": 0.15, "hidden": [4, 4], "activation": "tanh",
         "optimizer": {"name": "adam", "lr": 0.03}, "batch_size": 10, "seed": 0, "grid": 40}
FRAME_NET = {"dataset": "moons", "n_samples": 500, "noise": 0.15, "test_fraction": 0.5, "hidden": [8, 8],
             "activation": "tanh", "optimizer": {"name": "adam", "lr": 0.03}, "batch_size": 10, "seed": 0}


async def trainer(http, url, k, epochs, out):
    body = {**TRAIN, "epochs": epochs, "every": 5, "seed": k, "data_seed": k}
    t0 = time.perf_counter()
    frames, ended, failed = 0, False, False
    try:
        async with http.stream("POST", url + "/api/train/stream", json=body) as r:
            ok = r.status_code == 200
            async for line in r.aiter_lines():
                frames += line == "event: frame"
                ended = ended or line == "event: end"
                failed = failed or line == "event: error"
    except httpx.HTTPError:
        ok = False
    out.append((time.perf_counter() - t0, ok and ended and not failed and frames == -(-epochs // 5)))


def bench_trainings(args):
    from gdlab.nn.playground import Playground, playground_data

    proc, url = start_server()
    out = []

    async def run():
        limits = httpx.Limits(max_connections=args.trainings)
        async with httpx.AsyncClient(timeout=300, limits=limits) as http:
            await asyncio.gather(*(trainer(http, url, k, args.train_epochs, out) for k in range(args.trainings)))

    try:
        t0 = time.perf_counter()
        asyncio.run(run())
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
    times = []
    for k in range(3):
        t1 = time.perf_counter()
        pg = Playground(playground_data("moons", 200, 0.15, seed=k), hidden=[4, 4], activation="tanh",
                        optimizers=[{"optimizer": "adam", "lr": 0.03}], batch_size=10, test_fraction=0.5,
                        data_seed=k, seed=k)
        for _ in range(-(-args.train_epochs // 5)):
            pg.advance(5)
            pg.grid(40)
        times.append(time.perf_counter() - t1)
    lib = statistics.median(times)
    lat = [t for t, _ in out]
    errors = sum(1 for _, ok in out if not ok)
    print(f"trainings: {args.trainings} concurrent streamed trainings (2-4-4-1, 200 moons points, "
          f"{args.train_epochs} epochs, a frame every 5), loopback")
    print(f"  all done in {wall:.2f} s   to the last byte: p50 {1000 * pct(lat, 50):.0f} ms   "
          f"p99 {1000 * pct(lat, 99):.0f} ms   errors {errors}")
    print(f"  the same training in the library (no server, median of 3): {1000 * lib:.0f} ms; "
          f"{args.trainings} of them one after another: {args.trainings * lib:.2f} s")
    return errors


def bench_frames(args):
    from gdlab.nn.playground import Playground, playground_data
    from gdlab.web import encode
    from gdlab.web.routers.networks import _frame

    proc, url = start_server()
    try:
        with httpx.Client(timeout=60) as http:
            sid = http.post(url + "/api/train/session", json=FRAME_NET).json()["id"]
            for _ in range(5):
                http.post(f"{url}/api/train/session/{sid}/advance", json={"epochs": 1})
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < 3:
                r = http.post(f"{url}/api/train/session/{sid}/advance", json={"epochs": 1})
                assert r.status_code == 200
                n += 1
            server_fps = n / (time.perf_counter() - t0)
            size = len(r.content)
        pg = Playground(playground_data("moons", 500, 0.15, seed=0), hidden=[8, 8], activation="tanh",
                        optimizers=[{"optimizer": "adam", "lr": 0.03}], batch_size=10, test_fraction=0.5,
                        data_seed=0, seed=0)
        t1, k = time.perf_counter(), 0
        while time.perf_counter() - t1 < 2:
            since = pg.epoch
            pg.advance(1)
            encode.dumps(_frame(pg, since))
            k += 1
        lib_ms = 1000 * (time.perf_counter() - t1) / k
        page_fps = None
        if not args.skip_browser:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url + "/networks?d=moons&n=500&noise=0.15&test=0.5&h=8,8&act=tanh&bs=10&o=adam;lr=0.03")
                page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=60_000)
                page.click("#play")
                page.wait_for_timeout(1000)
                f0, e0, t2 = page.evaluate("window.gdlabNet.frames"), page.evaluate("window.gdlabNet.epoch"), time.perf_counter()
                page.wait_for_timeout(int(1000 * args.play))
                f1, e1, t3 = page.evaluate("window.gdlabNet.frames"), page.evaluate("window.gdlabNet.epoch"), time.perf_counter()
                page.click("#play")
                browser.close()
            page_fps = (f1 - f0) / (t3 - t2)
    finally:
        proc.terminate()
        proc.wait(10)
    print("boundary frames, 2-8-8-1 net on 500 moons points (250 train, batch 10: 25 updates), 1 epoch a frame:")
    print(f"  server   {server_fps:.1f} frames/s ({1000 / server_fps:.1f} ms a frame, {size / 1000:.0f} kB of JSON)")
    print(f"  library  {lib_ms:.1f} ms for the same epoch and frame (no server): server / library = "
          f"{1000 / server_fps / lib_ms:.2f}")
    if page_fps is not None:
        print(f"  page     {page_fps:.1f} frames/s drawn while playing (headless chromium, {args.play:g} s, "
              f"{e1 - e0} epochs)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=8)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--gap", type=int, default=250, help="ms between slider notches")
    ap.add_argument("--trainings", type=int, default=20)
    ap.add_argument("--train-epochs", type=int, default=50)
    ap.add_argument("--play", type=float, default=5.0, help="seconds the page plays for the frame rate")
    ap.add_argument("--only", choices=["load", "slider", "trainings", "frames"], help="run one part")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    errors = 0
    if args.only in (None, "load"):
        errors += bench_load(args)
    if args.only in (None, "slider") and not args.skip_browser:
        bench_slider(args)
    if args.only in (None, "trainings"):
        errors += bench_trainings(args)
    if args.only in (None, "frames"):
        sys.path.insert(0, ROOT)
        bench_frames(args)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
