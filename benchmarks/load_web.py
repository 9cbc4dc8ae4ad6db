"""Load test of ``compliance serve``: N concurrent clients uploading plans for a while.

    python benchmarks/load_web.py [--clients 50] [--seconds 60] [--plans 20]

Starts ``compliance serve`` on 127.0.0.1 (a free port) in a child process,
waits for ``/healthz``, then runs N asyncio clients (httpx2) that each post one
plan at a time to ``POST /api/check`` until the time is up: the two example
plans and generated ones (``compliance.bench.generate``). Every answer must be
200 and byte-identical to the answer the same plan got alone before the load
started. Prints requests/s, latency percentiles, failures and the server's
resident memory (before, peak, after; from /proc), then stops the server.
Not part of the test suite; bounded (it stops by itself) and local only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> int:
    from compliance.bench import generate

    folder = Path(tempfile.mkdtemp(prefix="compliance-load-"))
    generate(args.plans, folder)
    plans = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.yaml"))]
    plans += [(p.name, p.read_bytes()) for p in sorted((ROOT / "plans").glob("*.yaml"))]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "compliance.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--max-checks", str(args.max_checks)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60,
                                     limits=httpx.Limits(max_connections=args.clients)) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise SystemExit("the server did not start")

            async def post(name: str, data: bytes) -> httpx.Response:
                return await client.post("/api/check", files=[("files", (name, data))],
                                         data={"as_of": "2023-06-30"})

            expected = {}
            for name, data in plans:  # each plan alone, before the load
                r = await post(name, data)
                expected[name] = (r.status_code, r.text)
            rss_before = rss_mib(server.pid)
            latencies: list[float] = []
            failures: list[str] = []
            peak = rss_before
            timeline: list[tuple[int, float]] = []  # (seconds into the load, RSS): flat means no leak
            stop = time.monotonic() + args.seconds

            async def sample() -> None:
                nonlocal peak
                start = time.monotonic()
                while time.monotonic() < stop:
                    now = rss_mib(server.pid)
                    peak = max(peak, now)
                    second = int(time.monotonic() - start)
                    if second % 10 == 0 and (not timeline or timeline[-1][0] != second):
                        timeline.append((second, now))
                    await asyncio.sleep(0.5)

            async def worker(n: int) -> None:
                i = n
                while time.monotonic() < stop:
                    name, data = plans[i % len(plans)]
                    i += args.clients
                    t0 = time.perf_counter()
                    try:
                        r = await post(name, data)
                    except httpx.HTTPError as exc:
                        failures.append(f"{name}: {type(exc).__name__}")
                        continue
                    latencies.append(time.perf_counter() - t0)
                    if (r.status_code, r.text) != expected[name]:
                        failures.append(f"{name}: {r.status_code}, differs from alone")

            started = time.monotonic()
            await asyncio.gather(sample(), *(worker(n) for n in range(args.clients)))
            elapsed = time.monotonic() - started
            rss_after = rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    ms = [x * 1000 for x in latencies]
    print(f"compliance serve --max-checks {args.max_checks} under load: {args.clients} clients for {args.seconds:g} s, "
          f"{len(plans)} distinct plans ({min(len(d) for _, d in plans)}–{max(len(d) for _, d in plans)} bytes)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"requests: {len(latencies)} answered, {len(failures)} failed, {len(latencies) / elapsed:.1f} requests/s")
    if ms:
        print(f"latency ms: p50 {statistics.median(ms):.0f}, p95 {percentile(ms, 0.95):.0f}, "
              f"p99 {percentile(ms, 0.99):.0f}, max {max(ms):.0f}")
    print(f"server memory (RSS MiB): {rss_before:.1f} before, {peak:.1f} peak, {rss_after:.1f} after; "
          "during: " + ", ".join(f"{mib:.0f} at {sec} s" for sec, mib in timeline))
    for failure in failures[:10]:
        print("FAILED", failure)
    return 1 if failures or not latencies else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--plans", type=int, default=20, help="generated plans besides the two examples")
    parser.add_argument("--max-checks", type=int, default=4, help="the server's --max-checks")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
