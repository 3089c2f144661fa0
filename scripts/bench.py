"""Load benchmark: the whole stack under open-loop traffic, through the API and straight into Rasa.

Run with the API environment:  .venvs/api/bin/python scripts/bench.py [--rates 10,25,50] [--duration 20] [--quick]

What it does, in order:
  1. Starts scripts/run.sh on free non-default ports with a fresh SQLite database in a temporary
     directory and measures the cold start (script start until READY_FILE appears).
  2. For each rate: simulated residents talk to the API (POST /api/conversations, then 3-5 turns of
     POST /api/conversations/{id}/messages). Sends are scheduled by the clock (open loop): a send never
     waits for an earlier reply, so the latency, measured from the scheduled send time, includes queueing.
     A resident sends its next turn only after its previous reply (like a person); when no resident is
     free, a new one arrives, so the rate holds. Residents open their conversations just before the
     phase's clock starts, so a saturated API cannot slow down the arrivals.
  3. The same load straight into Rasa's REST channel on the same stack. The bot calls back into the API
     for its texts, so the sender ids are real conversations created through the API beforehand.
     The Rasa phases run first by default (--via rasa,api): after an overload the API keeps working off
     requests its clients gave up on for minutes, which would spoil any phase after it.
  4. Samples resident memory (VmRSS, summed over each service's process tree, and VmHWM) and CPU time
     of the API, Rasa and the action server.
  5. Prints a table and writes var/bench/results.json (the stack's logs are copied to var/bench/logs/).
  6. Stops the stack (SIGINT to run.sh, then waits), also on errors and Ctrl-C.

All traffic goes to 127.0.0.1; every wait is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SERVICES = ("api", "rasa", "actions")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Lines the services write when a turn was not answered the normal way (counted per phase).
LOG_PATTERNS = {
    "api.log": {"api_fallback": "Rasa unavailable", "api_traceback": "Traceback"},
    "actions.log": {"actions_api_unreachable": "API unreachable"},
    "rasa.log": {"rasa_errors": " ERROR "},
}


# --------------------------------------------------------------------------------------------------
# /proc helpers


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(root: int, children: dict[int, list[int]] | None = None) -> list[int]:
    children = _children_map() if children is None else children
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLK_TCK


def _system_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return (total - idle) / CLK_TCK, total / CLK_TCK


def background_load(seconds: float = 3.0) -> float:
    """Cores busy on this machine while the stack is not running (other people's work)."""
    busy0, _ = _system_cpu()
    time.sleep(seconds)
    busy1, _ = _system_cpu()
    return round((busy1 - busy0) / seconds, 2)


def _classify(cmd: list[str]) -> str | None:
    joined = " ".join(cmd)
    if "uvicorn" in joined and "api.main:app" in cmd:
        return "api"
    if "rasa" in joined and "run" in cmd and "actions" in cmd:
        return "actions"
    if "rasa" in joined and "run" in cmd and "--model" in cmd:
        return "rasa"
    return None


def _find_services(root: int) -> dict[str, int]:
    """The topmost process of each service under run.sh (children are summed in)."""
    found: dict[str, int] = {}
    children = _children_map()
    todo = [root]
    while todo:
        pid = todo.pop(0)
        name = _classify(_cmdline(pid))
        if name and name not in found:
            found[name] = pid
            continue
        todo.extend(children.get(pid, []))
    return found


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no obstacle
        try:
            s.bind(("0.0.0.0", port))  # Rasa and the action server listen on every interface
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


def pick_ports(preferred: list[int]) -> list[int]:
    ports: list[int] = []
    for p in preferred:
        port = p if _port_free(p) and p not in ports else _free_port()
        while port in ports:
            port = _free_port()
        ports.append(port)
    return ports


# --------------------------------------------------------------------------------------------------
# The stack


class StoppedFromOutside(RuntimeError):
    """run.sh was interrupted by a signal this script did not send (on a shared machine, someone else's clean-up)."""


SIGNALLED = {-signal.SIGTERM, -signal.SIGINT, -signal.SIGKILL, -signal.SIGHUP, 130, 143}


class Stack:
    """scripts/run.sh in its own session, with its own ports, database and logs."""

    def __init__(self, ports: list[int], keep_tmp: bool, extra_env: dict[str, str] | None = None) -> None:
        self.api_port, self.rasa_port, self.actions_port = ports
        self.keep_tmp = keep_tmp
        self.extra_env = extra_env or {}
        self.tmp = Path(tempfile.mkdtemp(prefix="bibliotekshjalpen-bench-"))
        self.log_dir = self.tmp / "logs"
        self.ready_file = self.tmp / "ready"
        self.proc: subprocess.Popen[bytes] | None = None
        self.services: dict[str, int] = {}
        self.started_at = self.started_wall = 0.0
        self.spawned_s: float | None = None  # script start until the three services exist
        self.cold_start_s: float | None = None
        self._out: Any = None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    def start(self, timeout: float) -> None:
        env = dict(os.environ)
        env.update(
            READY_FILE=str(self.ready_file),
            API_PORT=str(self.api_port),
            RASA_PORT=str(self.rasa_port),
            ACTIONS_PORT=str(self.actions_port),
            DATABASE_URL=f"sqlite:///{self.tmp / 'bench.db'}",
            LOG_DIR=str(self.log_dir),
            API_HOST=HOST,
            START_TIMEOUT=str(int(timeout)),
            # Every simulated resident comes from 127.0.0.1; in reality they are many addresses.
            RATE_LIMIT_CONVERSATIONS="1000000/1min",
        )
        env.update(self.extra_env)
        self._out = open(self.tmp / "run.out", "wb")  # noqa: SIM115 - closed in stop()
        self.started_at, self.started_wall = time.monotonic(), time.time()
        # A session of its own: a Ctrl-C in the terminal reaches only this script, which then stops run.sh.
        self.proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = self.started_at + timeout
        while not self.ready_file.exists():
            now = time.monotonic()
            if self.proc.poll() is not None:
                kind = StoppedFromOutside if self.proc.returncode in SIGNALLED else RuntimeError
                raise kind(f"scripts/run.sh exited ({self.proc.returncode}) before it was ready\n{self.tail()}")
            if now > deadline:
                raise RuntimeError(f"the stack was not ready within {timeout:.0f} s\n{self.tail()}")
            if self.spawned_s is None and len(_find_services(self.proc.pid)) == len(SERVICES):
                self.spawned_s = now - self.started_at
            time.sleep(0.05)
        self.cold_start_s = time.monotonic() - self.started_at
        self.services = _find_services(self.proc.pid)
        missing = set(SERVICES) - set(self.services)
        if missing:
            raise RuntimeError(f"ready, but no process found for {sorted(missing)} under run.sh")

    def model(self) -> tuple[str | None, bool]:
        """The model Rasa loaded, and whether run.sh trained it during this start (then the cold start
        includes training and is not comparable)."""
        cmd = _cmdline(self.services.get("rasa", 0))
        if "--model" not in cmd or cmd.index("--model") + 1 >= len(cmd):
            return None, False
        path = Path(cmd[cmd.index("--model") + 1])
        try:
            trained_now = path.stat().st_mtime > self.started_wall
        except OSError:
            trained_now = False
        return path.name, trained_now

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"scripts/run.sh stopped during the benchmark ({self.proc.returncode})\n{self.tail()}")

    def tail(self, lines: int = 15) -> str:
        out = []
        for f in [self.tmp / "run.out", *sorted(self.log_dir.glob("*.log"))]:
            if f.exists():
                text = f.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {f.name}\n" + "\n".join(text))
        return "\n".join(out)

    def stop(self, timeout: float = 60.0) -> None:
        if self.proc is None:
            return
        known = _tree(self.proc.pid) if self.proc.poll() is None else list(self.services.values())
        if self.proc.poll() is None:
            print("==> Stopping the stack (SIGINT to scripts/run.sh)", flush=True)
            with contextlib.suppress(ProcessLookupError):
                if self.services:
                    self.proc.send_signal(signal.SIGINT)  # run.sh's trap stops the three services
                else:
                    # Still setting up (migrating, training): run.sh has no trap yet and waits for its child,
                    # so interrupt its whole process group, as Ctrl-C in a terminal would.
                    os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                print("    run.sh did not stop in time; terminating its processes", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    self.proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(10)
        # Anything run.sh started that outlived it (by pid, only our own processes).
        for sig in (signal.SIGTERM, signal.SIGKILL):
            alive = [p for p in known if Path(f"/proc/{p}").exists() and p != os.getpid()]
            if not alive:
                break
            for pid in alive:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            time.sleep(3)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self._out:
            self._out.close()

    def save_logs(self, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        for f in [self.tmp / "run.out", *self.log_dir.glob("*.log")]:
            if f.exists():
                shutil.copy2(f, dest / f.name)

    def cleanup(self) -> None:
        if not self.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


class LogCounter:
    """Counts the lines that matter in the services' logs, from a remembered offset onwards."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.offsets = {name: 0 for name in LOG_PATTERNS}

    def skip_to_end(self) -> None:
        for name in LOG_PATTERNS:
            f = self.log_dir / name
            self.offsets[name] = f.stat().st_size if f.exists() else 0

    def count_new(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for name, patterns in LOG_PATTERNS.items():
            f = self.log_dir / name
            data = b""
            if f.exists():
                with open(f, "rb") as fh:
                    fh.seek(self.offsets[name])
                    data = fh.read()
                self.offsets[name] += len(data)
            text = data.decode(errors="replace")
            for key, pattern in patterns.items():
                counts[key] = text.count(pattern)
        return counts


class Sampler(threading.Thread):
    """Polls VmRSS of each service's process tree; keeps the overall and the per-phase peak."""

    def __init__(self, services: dict[str, int], interval: float = 0.2) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.services = services
        self.interval = interval
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.peak_kb: dict[str, int] = dict.fromkeys(services, 0)
        self.phase_peak_kb: dict[str, int] = dict.fromkeys(services, 0)
        self.samples = 0

    def current_kb(self) -> dict[str, int]:
        children = _children_map()
        return {name: sum(_status_kb(p, "VmRSS") for p in _tree(pid, children)) for name, pid in self.services.items()}

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            now = self.current_kb()
            with self.lock:
                self.samples += 1
                for name, kb in now.items():
                    self.peak_kb[name] = max(self.peak_kb[name], kb)
                    self.phase_peak_kb[name] = max(self.phase_peak_kb[name], kb)

    def begin_phase(self) -> None:
        with self.lock:
            self.phase_peak_kb = dict.fromkeys(self.services, 0)

    def phase_peak_mb(self) -> dict[str, float]:
        with self.lock:
            return {k: round(v / 1024, 1) for k, v in self.phase_peak_kb.items()}

    def hwm_mb(self) -> dict[str, float]:
        children = _children_map()
        return {
            name: round(sum(_status_kb(p, "VmHWM") for p in _tree(pid, children)) / 1024, 1)
            for name, pid in self.services.items()
        }

    def cpu_seconds(self) -> dict[str, float]:
        children = _children_map()
        return {name: _cpu_seconds(_tree(pid, children)) for name, pid in self.services.items()}


# --------------------------------------------------------------------------------------------------
# Load


@dataclass
class Resident:
    conv_id: str
    token: str
    texts: list[str]
    # Handed to staff: through the API the bot then stays silent (by design), so the resident leaves.
    handed_off: bool = False

    def next_text(self) -> str:
        return self.texts.pop(0)


@dataclass
class Record:
    scheduled: float
    started: float
    finished: float
    error: str | None


@dataclass
class Ctx:
    stack: Stack
    client: httpx.AsyncClient
    devset: dict[str, list[str]]
    rng: random.Random
    timeout: float
    sampler: Sampler
    logs: LogCounter
    create_ms: list[float] = field(default_factory=list)
    create_errors: Counter[str] = field(default_factory=Counter)


def load_devset() -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = {}
    for f in sorted((ROOT / "tests" / "devset").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                by_lang.setdefault(item.get("lang") or f.stem, []).append(item["text"])
    if not by_lang:
        raise RuntimeError("no seed questions found in tests/devset/*.jsonl")
    return by_lang


def resident_texts(ctx: Ctx) -> list[str]:
    """3-5 turns, all in one language (a resident writes in one language)."""
    texts = ctx.devset[ctx.rng.choice(sorted(ctx.devset))]
    k = ctx.rng.randint(3, 5)
    return ctx.rng.sample(texts, k) if len(texts) >= k else [ctx.rng.choice(texts) for _ in range(k)]


async def create_conversation(ctx: Ctx, record: bool) -> tuple[str, str]:
    """POST /api/conversations, the resident opening the chat."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        resp = await asyncio.wait_for(ctx.client.post(f"{ctx.stack.api_url}/api/conversations", json={}), ctx.timeout)
        resp.raise_for_status()
        data = resp.json()
    except Exception as exc:
        if record:
            ctx.create_errors[type(exc).__name__] += 1
        raise
    if record:
        ctx.create_ms.append((loop.time() - start) * 1000)
    return str(data["id"]), str(data["token"])


async def fill_lobby(ctx: Ctx, lobby: asyncio.Queue[tuple[str, str]], count: int, concurrency: int = 8) -> None:
    """Residents open their conversations before the phase's clock starts, so that a slow or saturated API
    cannot hold back arrivals (that would make the client, not the server, the bottleneck). Timed, unloaded."""
    remaining = [count]
    failures = [0]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            try:
                lobby.put_nowait(await create_conversation(ctx, record=True))
            except Exception:  # noqa: BLE001 - retried a few times, then the phase is abandoned
                remaining[0] += 1
                failures[0] += 1
                if failures[0] > 20:
                    raise RuntimeError("could not create conversations through the API") from None
                await asyncio.sleep(0.5)

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), timeout=60 + count * 0.2)


async def send_turn(ctx: Ctx, via: str, resident: Resident, text: str) -> str | None:
    """One message; returns None when a reply came back, else an error kind."""
    if via == "api":
        resp = await ctx.client.post(
            f"{ctx.stack.api_url}/api/conversations/{resident.conv_id}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {resident.token}"},
        )
    else:
        resp = await ctx.client.post(
            f"{ctx.stack.rasa_url}/webhooks/rest/webhook", json={"sender": resident.conv_id, "message": text}
        )
    if resp.status_code != 200:
        return f"http_{resp.status_code}"
    data = resp.json()
    replies = data.get("messages") if via == "api" and isinstance(data, dict) else data
    if not isinstance(replies, list) or not replies:
        return "empty_reply"
    for reply in replies:  # the API's replies, or Rasa's with the API's reply inside `custom`
        body = reply.get("custom") if isinstance(reply, dict) and isinstance(reply.get("custom"), dict) else reply
        if isinstance(body, dict) and body.get("kind") == "handoff":
            resident.handed_off = True
    return None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None else round(v, nd)


async def run_phase(ctx: Ctx, via: str, rate: float, duration: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    n = max(1, round(rate * duration))
    lobby: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    ctx.create_ms, ctx.create_errors = [], Counter()
    # Worst case one new resident per message (when every resident still waits for a reply). For Rasa
    # the ids must be real conversations too: the bot's actions and texts call back into the API.
    await fill_lobby(ctx, lobby, n)

    idle: deque[Resident] = deque()
    records: list[Record] = []
    residents, handoffs = [0], [0]
    tasks: set[asyncio.Task[None]] = set()

    async def turn(scheduled: float, resident: Resident | None) -> None:
        error: str | None = None
        started = loop.time()
        try:
            if resident is None:  # a new resident arrives
                try:
                    conv_id, token = await asyncio.wait_for(lobby.get(), ctx.timeout)
                except TimeoutError:
                    records.append(Record(scheduled, started, loop.time(), "no_conversation"))
                    return
                resident = Resident(conv_id, token, resident_texts(ctx))
                residents[0] += 1
            started = loop.time()
            text = resident.next_text()
            try:
                error = await asyncio.wait_for(send_turn(ctx, via, resident, text), ctx.timeout)
            except TimeoutError:
                error = "timeout"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            except ValueError:
                error = "bad_json"
            records.append(Record(scheduled, started, loop.time(), error))
            if resident.handed_off:
                handoffs[0] += 1
            elif resident.texts:
                idle.append(resident)
        except asyncio.CancelledError:
            records.append(Record(scheduled, started, loop.time(), "unfinished"))
            raise

    ctx.logs.skip_to_end()
    ctx.sampler.begin_phase()
    cpu_before, bench_cpu_before = ctx.sampler.cpu_seconds(), time.process_time()
    system_before = _system_cpu()[0]
    t0 = loop.time() + 0.2
    try:
        for i in range(n):
            scheduled = t0 + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(turn(scheduled, idle.popleft() if idle else None))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:  # every send has its own timeout; this only bounds the drain as a whole
            _, pending = await asyncio.wait(set(tasks), timeout=ctx.timeout * 2 + 5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    finally:
        for task in list(tasks):
            task.cancel()
    wall = loop.time() - t0
    ctx.stack.check_alive()  # a phase against a stack that died half-way is not a measurement
    cpu_after, bench_cpu = ctx.sampler.cpu_seconds(), time.process_time() - bench_cpu_before
    system_busy = _system_cpu()[0] - system_before
    ours = sum(cpu_after[k] - cpu_before[k] for k in cpu_after) + bench_cpu
    log_counts = ctx.logs.count_new()

    ok = [r for r in records if r.error is None]
    latencies = [(r.finished - r.scheduled) * 1000 for r in ok]
    lags = [(r.started - r.scheduled) * 1000 for r in records]
    errors = Counter(r.error for r in records if r.error is not None)
    errors["unfinished"] += n - len(records)
    errors = +errors
    span = max(duration, max((r.finished for r in ok), default=t0) - t0)
    result = {
        "via": via,
        "target_rate": rate,
        "duration_s": duration,
        "messages": n,
        "ok": len(ok),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "sent_rate": round(len(records) / duration, 2),
        "achieved_rate": round(len(ok) / span, 2),
        "latency_ms": {
            "p50": _r(percentile(latencies, 50)),
            "p95": _r(percentile(latencies, 95)),
            "p99": _r(percentile(latencies, 99)),
            "max": _r(max(latencies, default=None)),
            "mean": _r(sum(latencies) / len(latencies) if latencies else None),
        },
        "client_send_lag_ms_p99": _r(percentile(lags, 99)),
        "residents": residents[0],
        "residents_handed_to_staff": handoffs[0],
        "wall_s": round(wall, 1),
        "log_counts": log_counts,
        "cpu_ms_per_message": {
            name: round((cpu_after[name] - cpu_before[name]) * 1000 / max(1, len(records)), 1) for name in cpu_after
        }
        | {"bench_client": round(bench_cpu * 1000 / max(1, len(records)), 1)},
        "cpu_utilisation": {name: round((cpu_after[name] - cpu_before[name]) / wall, 2) for name in cpu_after}
        | {"bench_client": round(bench_cpu / wall, 2)},
        # Cores busy machine-wide, and the part of that which was neither the stack nor this client.
        "machine_busy_cores": round(system_busy / wall, 2),
        "other_busy_cores": round(max(0.0, system_busy - ours) / wall, 2),
        "peak_rss_mb": ctx.sampler.phase_peak_mb(),
    }
    # Conversations opened before the clock started (8 at a time, no other load): the cost of opening one.
    result["conversations_created"] = len(ctx.create_ms)
    result["create_latency_ms"] = {"p50": _r(percentile(ctx.create_ms, 50)), "p95": _r(percentile(ctx.create_ms, 95))}
    result["create_errors"] = dict(ctx.create_errors)
    return result


async def warm_up(ctx: Ctx) -> dict[str, Any]:
    """One message per language through the API, and a few straight into Rasa (not measured as load)."""
    loop = asyncio.get_running_loop()
    out: dict[str, Any] = {"api_ms": [], "rasa_ms": [], "errors": Counter()}
    for via, langs in (("api", sorted(ctx.devset)), ("rasa", sorted(ctx.devset)[:3])):
        for lang in langs:
            try:
                conv_id, token = await create_conversation(ctx, record=False)
                start = loop.time()
                error = await asyncio.wait_for(
                    send_turn(ctx, via, Resident(conv_id, token, []), ctx.devset[lang][0]), ctx.timeout
                )
            except TimeoutError:
                error = "timeout"
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                error = type(exc).__name__
            if error:
                out["errors"][f"{via}:{error}"] += 1
            else:
                out[f"{via}_ms"].append(round((loop.time() - start) * 1000, 1))
    out["first_message_ms"] = out["api_ms"][0] if out["api_ms"] else None
    out["errors"] = dict(out["errors"])
    return out


async def settle(ctx: Ctx, pause: float, limit: float) -> dict[str, Any]:
    """Waits (bounded) until one message through the API is answered within a second again, so that phases
    do not overlap. After an overload this is the stack's recovery time: work it queued goes on after the
    clients gave up."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(pause)
    deadline = start + limit
    while loop.time() < deadline:
        try:
            conv_id, token = await create_conversation(ctx, record=False)
            t = loop.time()
            error = await asyncio.wait_for(send_turn(ctx, "api", Resident(conv_id, token, []), "hej"), ctx.timeout)
            if error is None and loop.time() - t < 1.0:
                return {"seconds": round(loop.time() - start, 1), "recovered": True}
        except (TimeoutError, httpx.HTTPError, ValueError, KeyError):
            pass
        await asyncio.sleep(2)
    return {"seconds": round(loop.time() - start, 1), "recovered": False}


# --------------------------------------------------------------------------------------------------
# Report


def machine_info() -> dict[str, Any]:
    meminfo = {
        line.split(":")[0]: line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line
    }
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_total_gb": round(int(meminfo.get("MemTotal", "0")) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _fmt(v: Any) -> str:
    return "-" if v is None else (f"{v:.0f}" if isinstance(v, float) and v >= 100 else str(v))


def print_report(results: dict[str, Any]) -> None:
    for p in results.get("phases", []):
        if "failed" in p:
            print(f"\n{p['via']} at {p['target_rate']:g} msg/s was not measured: {p['failed']}")
    phases = sorted(
        (p for p in results.get("phases", []) if "failed" not in p), key=lambda p: (p["via"] != "api", p["target_rate"])
    )
    if phases:
        print("\nLoad (open loop; latency from the scheduled send time, successful replies only)")
        head = f"{'via':<6}{'target/s':>9}{'sent/s':>8}{'achieved/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        print(head + f"{'max ms':>9}{'errors':>8}{'fallback':>9}{'recovery s':>11}")
        for p in phases:
            lat = p["latency_ms"]
            fallback = p["log_counts"].get("api_fallback" if p["via"] == "api" else "actions_api_unreachable", 0)
            rec = p.get("recovery") or {}
            recovery = f"{rec['seconds']:g}" + ("" if rec["recovered"] else "+") if rec else "-"
            print(
                f"{'API' if p['via'] == 'api' else 'Rasa':<6}{p['target_rate']:>9g}{p['sent_rate']:>8}"
                f"{p['achieved_rate']:>11}{_fmt(lat['p50']):>9}{_fmt(lat['p95']):>9}{_fmt(lat['p99']):>9}"
                f"{_fmt(lat['max']):>9}{p['errors']:>8}{fallback:>9}{recovery:>11}"
            )
        print("  errors: no reply, HTTP error, empty reply or timeout. fallback: API = turns the API answered from")
        print("  the FAQ itself because Rasa failed; Rasa = action calls that could not reach the API.")
        print("  recovery: seconds after the phase until one message was answered within 1 s again (+: not yet).")
        print("\nCPU per message (ms) and utilisation (cores) per process")
        print(f"{'via':<6}{'target/s':>9}" + "".join(f"{n:>16}" for n in (*SERVICES, "bench_client")) + "  other")
        for p in phases:
            cells = "".join(
                f"{p['cpu_ms_per_message'][n]:>8} /{p['cpu_utilisation'][n]:>5}" + " " * 2
                for n in (*SERVICES, "bench_client")
            )
            front = "API" if p["via"] == "api" else "Rasa"
            print(f"{front:<6}{p['target_rate']:>9g}   {cells}{p['other_busy_cores']:>5}")
        print("  other = cores busy with processes that are neither the stack nor this client (a shared machine)")
    mem = results.get("memory")
    if mem:
        print("\nResident memory per process tree (MB)")
        print(f"{'process':<10}{'at ready':>10}{'peak (sampled)':>16}{'VmHWM':>8}")
        for name in SERVICES:
            print(
                f"{name:<10}{mem['at_ready_mb'][name]:>10}{mem['peak_sampled_mb'][name]:>16}{mem['vmhwm_mb'][name]:>8}"
            )
        total = {k: round(sum(mem[k].values()), 1) for k in ("at_ready_mb", "peak_sampled_mb", "vmhwm_mb")}
        print(f"{'total':<10}{total['at_ready_mb']:>10}{total['peak_sampled_mb']:>16}{total['vmhwm_mb']:>8}")
    cold = results.get("cold_start")
    if cold:
        print(
            f"\nCold start: {cold['ready_s']} s to READY_FILE "
            f"(setup until the services were spawned {cold['spawned_s']} s; run.sh polls health once a second)"
        )
        if cold.get("model_trained_during_start"):
            print("  (the model was trained during this start: the cold start includes training)")
        warm = results.get("warm_up") or {}
        if warm.get("first_message_ms") is not None:
            print(f"First message after ready: {warm['first_message_ms']:.0f} ms")


# --------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rates", default="10,25,50", help="messages per second, comma-separated (default 10,25,50)")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per rate (default 20)")
    ap.add_argument("--quick", action="store_true", help="smoke run: rates 5,10 for 5 s each")
    ap.add_argument(
        "--via",
        default="rasa,api",
        help="fronts to load, in this order (default rasa,api: an overloaded API keeps working off its backlog\n"
        "for minutes after the clients gave up, which would spoil the Rasa phases if they came after it)",
    )
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds (default 30)")
    ap.add_argument("--pause", type=float, default=5.0, help="seconds between phases (default 5)")
    ap.add_argument(
        "--settle-timeout",
        type=float,
        default=300.0,
        help="after a phase, wait at most this long for the stack to answer within 1 s again (default 300)",
    )
    ap.add_argument("--ports", default="18000,15005,15055", help="preferred API,Rasa,action server ports")
    ap.add_argument("--start-timeout", type=float, default=900.0, help="seconds for the stack to become ready")
    ap.add_argument("--seed", type=int, default=42, help="random seed for residents and their texts")
    ap.add_argument("--output", type=Path, default=ROOT / "var" / "bench" / "results.json")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary database and logs")
    ap.add_argument(
        "--stack-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the stack, for experiments (repeatable), e.g. OMP_NUM_THREADS=1",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.rates, args.duration = "5,10", 5.0
    args.rate_list = [float(r) for r in str(args.rates).split(",") if r.strip()]
    args.via_list = [v.strip() for v in args.via.split(",") if v.strip()]
    if not args.rate_list or any(r <= 0 for r in args.rate_list):
        ap.error("--rates needs positive numbers")
    if args.duration <= 0 or any(v not in ("api", "rasa") for v in args.via_list):
        ap.error("--duration must be positive and --via one of api, rasa")
    ports = [int(p) for p in args.ports.split(",")]
    if len(ports) != 3:
        ap.error("--ports needs three ports")
    args.port_list = ports
    if any("=" not in kv for kv in args.stack_env):
        ap.error("--stack-env takes KEY=VALUE")
    args.stack_env_map = dict(kv.split("=", 1) for kv in args.stack_env)
    return args


async def run_load(args: argparse.Namespace, stack: Stack, sampler: Sampler, results: dict[str, Any]) -> None:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    timeout = httpx.Timeout(args.timeout, pool=args.timeout)
    async with httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False) as client:
        ctx = Ctx(
            stack, client, load_devset(), random.Random(args.seed), args.timeout, sampler, LogCounter(stack.log_dir)
        )
        print("==> Warming up (one message per language)", flush=True)
        results["warm_up"] = await warm_up(ctx)
        results["settle_before_first_phase"] = await settle(ctx, args.pause, args.settle_timeout)
        for via in args.via_list:
            for rate in args.rate_list:
                stack.check_alive()
                front = "API" if via == "api" else "Rasa REST"
                print(f"==> {front}: {rate:g} msg/s for {args.duration:g} s", flush=True)
                try:
                    phase = await run_phase(ctx, via, rate, args.duration)
                except (RuntimeError, TimeoutError) as exc:  # e.g. the API could not even open conversations
                    stack.check_alive()
                    results["phases"].append(
                        {"via": via, "target_rate": rate, "failed": str(exc) or type(exc).__name__}
                    )
                    print(f"    phase failed: {exc or type(exc).__name__}", flush=True)
                    results["phases"][-1]["recovery"] = await settle(ctx, args.pause, args.settle_timeout)
                    continue
                results["phases"].append(phase)
                lat = phase["latency_ms"]
                print(
                    f"    achieved {phase['achieved_rate']}/s, p50 {_fmt(lat['p50'])} ms, p95 {_fmt(lat['p95'])} ms,"
                    f" p99 {_fmt(lat['p99'])} ms, errors {phase['errors']} {phase['error_kinds'] or ''}",
                    flush=True,
                )
                phase["recovery"] = recovery = await settle(ctx, args.pause, args.settle_timeout)
                state = "answering within 1 s again" if recovery["recovered"] else "NOT recovered"
                print(f"    {state} {recovery['seconds']} s after the phase", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM ends the run like Ctrl-C does: through the finally below, which stops the stack.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "rates": args.rate_list,
            "duration_s": args.duration,
            "via": args.via_list,
            "timeout_s": args.timeout,
            "seed": args.seed,
            "turns_per_resident": [3, 5],
            "arrivals": "evenly spaced (open loop)",
            "stack_env": args.stack_env_map,
        },
        "machine": machine_info(),
        "phases": [],
        "complete": False,
    }
    results["machine"]["busy_cores_before_start"] = background_load()
    ports = pick_ports(args.port_list)
    results["config"]["ports"] = dict(zip(("api", "rasa", "actions"), ports, strict=True))
    stack = Stack(ports, args.keep_tmp, args.stack_env_map)
    sampler: Sampler | None = None
    status = 1
    try:
        for attempt in range(1, 4):
            print(f"==> Starting the stack on ports {ports} (database and logs in {stack.tmp})", flush=True)
            try:
                stack.start(args.start_timeout)
                break
            except StoppedFromOutside as exc:
                if attempt == 3:
                    raise
                print(f"    {str(exc).splitlines()[0]}; not by this script: starting again", flush=True)
                stack.stop()
                stack.cleanup()
                stack = Stack(ports, args.keep_tmp, args.stack_env_map)
        results["start_attempts"] = attempt
        model, trained_now = stack.model()
        results["cold_start"] = {
            "ready_s": round(stack.cold_start_s or 0, 1),
            "spawned_s": _r(stack.spawned_s),
            "model": model,
            "model_trained_during_start": trained_now,
        }
        print(f"    ready after {stack.cold_start_s:.1f} s; processes {stack.services}", flush=True)
        sampler = Sampler(stack.services)
        results["memory"] = {"at_ready_mb": {k: round(v / 1024, 1) for k, v in sampler.current_kb().items()}}
        sampler.start()
        asyncio.run(run_load(args, stack, sampler, results))
        results["complete"] = True
        status = 0
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        status = 130
    except Exception as exc:  # noqa: BLE001 - reported, then the stack is stopped and partial results kept
        print(f"\nBenchmark failed: {exc}", file=sys.stderr)
    finally:
        try:
            if sampler is not None:
                results["memory"]["vmhwm_mb"] = sampler.hwm_mb()
                sampler.stop_event.set()
                sampler.join(2)
                with sampler.lock:
                    results["memory"]["peak_sampled_mb"] = {k: round(v / 1024, 1) for k, v in sampler.peak_kb.items()}
                results["memory"]["samples"] = sampler.samples
        finally:
            stack.stop()
            stack.save_logs(args.output.parent / "logs")
            stack.cleanup()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    # An unfinished run does not overwrite the last complete results.
    output = args.output if results["complete"] else args.output.with_suffix(".partial.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_report(results)
    print(f"\nResults: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return status


if __name__ == "__main__":
    sys.exit(main())
