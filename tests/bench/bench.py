#!/usr/bin/python3
"""sbx benchmark (`make bench`): sbx against bubblewrap, nsenter and a raw pipe.

What it measures, each timed figure interleaved with its anchor in the same run (A B A B ...,
after a few discarded warm-up pairs) so that a noisy machine slows both sides alike:

  one-shot        `sbx run -- true` (create, exec, terminate) against the bwrap one-shot
                  `bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all --die-with-parent true`
  exec            `sbx exec SB -- true` into a live sandbox against `nsenter -a -t PID true` into
                  a live bwrap sandbox (PID: the `sleep 1000` inside it). Rootless, bwrap puts its
                  command in a second, nested user namespace (because of --dev), and plain
                  nsenter cannot enter the cgroup/ipc/... namespaces from there: the anchor as
                  specified is then reported as not measured, and a clearly labelled variant
                  (nsenter into bwrap's outer user namespace plus the same other namespaces) is
                  shown in its own row, without a target.
  create+terminate `sbx create` then `sbx terminate` against the bwrap one-shot
  throughput      `sbx exec SB -- head -c N /dev/zero` into a pipe read by `cat >/dev/null`,
                  against `head -c N /dev/zero` into the same consumer (N = 2 GiB; the byte
                  count is checked once per side with `wc -c` in an untimed warm-up)
  memory          PSS (/proc/PID/smaps_rollup) of everything sbx keeps running per idle sandbox:
                  its supervisor (supervisor_pid of `sbx inspect`) and every descendant, summed
                  over K idle sandboxes and divided by K; the same for K idle bwrap sandboxes
                  (both bwrap processes and the sleep inside)
  live            M sandboxes created at once, `exec true` in each (all must succeed), then all
                  terminated; stops early, saying so, if MemAvailable would drop below 2 GiB
  parallel        100 `sbx run -- true` with 8 at a time: all exit 0, and `sbx ls --all --json`
                  then holds exactly 100 ended rows with returncode 0 (no lost rows)
  image           `sbx create --image bench-pip` against `sbx create` (the host base), each
                  sandbox terminated right after, untimed. The image is built once, untimed and
                  offline (--network none), from a pip step whose one package is a tiny
                  pure-Python wheel the bench writes itself into a local wheelhouse
                  (--pip-no-index --pip-find-links DIR); a sandbox of it is checked once to
                  import the package. Not measured, saying why, when the host's python3 has
                  no pip

Each timed figure is reported as median (p10-p90) of both sides and the ratio of the medians,
with a bootstrap 95% interval of that ratio over the pairs. Absolute times move with the load
of the machine; the interleaved ratios much less. Note that when the caller's stdout is a pipe,
sbx hands that pipe to the command in the sandbox, so the throughput figure shows that this
costs nothing rather than measuring a relay loop. Every sbx command uses
its own fresh SBX_HOME (a temporary directory removed at the end), never the user's state.
Anchors are installed by the benchmark itself: bubblewrap via apt-get when missing and running
as root. Everything started (sandboxes, bwrap processes) is cleaned up at the end, also on
Ctrl-C or SIGTERM.

Prints one table (measure | sbx | anchor | ratio | target | met?) and writes every raw figure,
the machine and the sbx commit to build/bench.json. Exit status: 0 when all figures were taken
(missed targets included: this is a measurement, not a test), 1 when the harness could not take
a figure (e.g. a sandbox could not be created), 2 for bad usage, 130 when interrupted.
"""

import argparse
import base64
import concurrent.futures
import datetime
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GIB = 1 << 30
MIB = 1 << 20
NS_GET_PARENT = 0xB702  # _IO(0xb7, 0x2), linux/nsfs.h
BWRAP_BASE = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
              "--unshare-all", "--die-with-parent"]
LONG_TIMEOUT = "3600"  # sandboxes the bench keeps alive must outlive it
IMAGE_PKG = "sbxbench"  # the image measure's wheel: made here, installed offline
IMAGE_NAME = "bench-pip"

# name: (default, --quick, help)
COUNTS = {
    "oneshot_runs": (60, 8, "pairs of one-shots (sbx run / bwrap)"),
    "exec_runs": (100, 10, "pairs of execs (sbx exec / nsenter)"),
    "create_runs": (50, 6, "pairs of create+terminate / bwrap one-shot"),
    "warmup": (3, 1, "discarded warm-up pairs before each timed measure"),
    "throughput_mib": (2048, 256, "MiB sent through the pipe per throughput run"),
    "throughput_runs": (7, 2, "pairs of throughput runs"),
    "memory_sandboxes": (20, 5, "idle sandboxes (and bwrap sandboxes) for the memory figure"),
    "live_sandboxes": (500, 50, "sandboxes alive at once"),
    "live_jobs": (4, 4, "parallel sbx commands while creating/exec'ing/terminating them"),
    "parallel_runs": (100, 32, "one-shots in the parallel measure"),
    "parallel_jobs": (8, 8, "one-shots at a time"),
    "image_runs": (40, 6, "pairs of create from the pip image / create from the host base"),
    "min_free_mib": (2048, 2048, "stop the live measure before MemAvailable drops below this"),
}


class HarnessError(Exception):
    """The harness could not take a figure (not a missed target)."""


STOP = threading.Event()  # set on Ctrl-C / SIGTERM: workers start nothing new


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# statistics


def pct(xs, p):
    """Percentile p (0..100) with linear interpolation."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(xs):
    return {"n": len(xs), "median": statistics.median(xs), "p10": pct(xs, 10), "p90": pct(xs, 90),
            "min": min(xs), "max": max(xs), "raw": xs}


def ratio_ci(a, b, iters=2000):
    """Bootstrap 95% interval of median(a)/median(b), resampling the interleaved pairs."""
    rng = random.Random(1)
    n = len(a)
    rs = []
    for _ in range(iters):
        idx = [rng.randrange(n) for _ in range(n)]
        rs.append(statistics.median([a[i] for i in idx]) / statistics.median([b[i] for i in idx]))
    return [pct(rs, 2.5), pct(rs, 97.5)]


def compare(a, b, higher_is_better=False):
    """Summary of both sides of an interleaved measure and their ratio (sbx / anchor)."""
    sa, sb = summary(a), summary(b)
    return {"sbx": sa, "anchor": sb, "ratio": sa["median"] / sb["median"],
            "ratio_ci95": ratio_ci(a, b),
            "paired_ratio_median": statistics.median([x / y for x, y in zip(a, b)]),
            "higher_is_better": higher_is_better}


# ---------------------------------------------------------------------------------------------
# processes and /proc


def run(argv, env=None, timeout=120, check=True, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL):
    """Run a command in its own session (Ctrl-C reaches only the bench, which then cleans up)."""
    try:
        r = subprocess.run(argv, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                           timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"{' '.join(map(str, argv))}: no end after {timeout} s") from e
    if check and r.returncode != 0:
        err = (r.stderr or b"").decode(errors="replace").strip().splitlines()
        raise HarnessError(f"{' '.join(map(str, argv))}: exit {r.returncode}"
                           + (f": {err[-1]}" if err else ""))
    return r


def timed(argv, env=None, timeout=120):
    """Wall time of one command (stdout and stderr to pipes, as a script capturing them)."""
    t0 = time.perf_counter()
    run(argv, env=env, timeout=timeout)
    return time.perf_counter() - t0


def make_wheel(name, version, out):
    """Write out/NAME-VERSION-py3-none-any.whl, a pure-Python wheel of one module with
    __version__ (a wheel is a zip with a .dist-info; as tests/e2e/_image.sh makes it)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"__version__ = '{version}'\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: sbx-bench\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
        record.append(f"{path},sha256={digest.rstrip(b'=').decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    out.mkdir(mode=0o755, exist_ok=True)
    os.chmod(out, 0o755)  # the build sandbox reads it as the sandbox's user
    whl = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
    os.chmod(whl, 0o644)
    return whl


def proc_table():
    """pid -> (ppid, comm) for every process visible now."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        head, tail = st.rsplit(")", 1)
        table[int(d)] = (int(tail.split()[1]), head.split("(", 1)[1])
    return table


def descendants(root, table):
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in table:
            out.append(p)
        todo.extend(children.get(p, []))
    return out


def smaps_rollup(pid):
    """Pss, Rss and private (USS) in KiB of one process."""
    vals = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                vals[parts[0][:-1]] = int(parts[1])
    return {"pss_kib": vals.get("Pss", 0), "rss_kib": vals.get("Rss", 0),
            "private_kib": vals.get("Private_Clean", 0) + vals.get("Private_Dirty", 0)}


def argv0(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")[0].split(b" ")[0].decode(errors="replace")
    except OSError:
        return None


def vmrss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            out[k] = int(v.split()[0]) * 1024
    return out


def mem_available():
    return meminfo()["MemAvailable"]


def machine_info():
    cpu = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    distro = None
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": cpu,
            "mem_total_bytes": meminfo()["MemTotal"], "kernel": os.uname().release,
            "distro": distro, "loadavg_start": os.getloadavg()}


def tool_version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, timeout=10)
        return (r.stdout or r.stderr).decode(errors="replace").strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def git_info():
    def git(*args):
        r = subprocess.run(["git", "-c", f"safe.directory={REPO}", "--no-optional-locks", "-C",
                            str(REPO), *args], capture_output=True, timeout=30)
        if r.returncode != 0:
            raise OSError(r.stderr.decode(errors="replace").strip())
        return r.stdout.decode().strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"commit": None, "dirty": None, "error": str(e)}


# ---------------------------------------------------------------------------------------------
# the bench: state to clean up, anchors, measures


class Bench:
    def __init__(self, args):
        self.args = args
        self.sbx = str(Path(args.sbx).resolve())
        self.root = Path(tempfile.mkdtemp(prefix="sbx-bench-"))
        os.chmod(self.root, 0o700)
        self.homes = []
        self.bwraps = []  # Popen objects, each in its own session
        self.rootless = os.geteuid() != 0
        self.results = {}  # measure key -> dict
        self.errors = []
        self.have_bwrap = False
        self.have_nsenter = False
        self.baseline = str(Path(args.baseline).resolve()) if args.baseline else None
        self.baseline_says = f" (and {self.baseline}, interleaved)" if self.baseline else ""

    # --- state ---------------------------------------------------------------------------

    def new_home(self, name):
        home = self.root / name
        home.mkdir(mode=0o700)
        self.homes.append(home)
        env = dict(os.environ)
        env["SBX_HOME"] = str(home)
        return env

    def sbx_cmd(self, *args):
        return [self.sbx, *args]

    def create(self, env, *extra, sbx=None):
        r = run([sbx or self.sbx, "create", "--timeout", LONG_TIMEOUT, *extra], env=env)
        sb = r.stdout.decode().strip()
        if not sb.startswith("sb-"):
            raise HarnessError(f"sbx create printed {sb!r}, not a sandbox id")
        return sb

    def inspect(self, env, sb):
        return json.loads(run(self.sbx_cmd("inspect", sb), env=env).stdout)

    def start_bwrap(self):
        p = subprocess.Popen(BWRAP_BASE + ["sleep", "1000"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
        self.bwraps.append(p)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            table = proc_table()
            for pid in descendants(p.pid, table):
                if table[pid][1] == "sleep":
                    return p, pid
            if p.poll() is not None:
                raise HarnessError("bwrap sandbox exited at once: "
                                   + p.stderr.read().decode(errors="replace").strip())
            time.sleep(0.02)
        raise HarnessError("no sleep process inside the bwrap sandbox after 10 s")

    def stop_bwrap(self, p):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        if p in self.bwraps:
            self.bwraps.remove(p)

    def cleanup(self):
        for p in list(self.bwraps):
            self.stop_bwrap(p)
        for home in self.homes:
            if not home.exists():
                continue
            env = dict(os.environ, SBX_HOME=str(home))
            try:
                rows = json.loads(run(self.sbx_cmd("ls", "--json"), env=env, timeout=60).stdout)
            except (HarnessError, ValueError) as e:
                log(f"clean-up: cannot list {home}: {e}")
                rows = []
            running = [r for r in rows if r.get("state") != "ended"]
            if running:
                log(f"clean-up: terminating {len(running)} sandbox(es) of {home.name}")
            with concurrent.futures.ThreadPoolExecutor(4) as ex:
                list(ex.map(lambda r: run(self.sbx_cmd("terminate", r["id"]), env=env,
                                          timeout=60, check=False), running))
            for r in running:  # a supervisor that outlived terminate: it is ours, by its id
                pid = r.get("supervisor_pid")
                if pid and self._is_our_supervisor(pid):
                    log(f"clean-up: killing supervisor {pid} of {r['id']}")
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        time.sleep(0.2)
        shutil.rmtree(self.root, onerror=self._rm_error)

    def _is_our_supervisor(self, pid):
        try:
            return os.path.realpath(f"/proc/{pid}/exe") == os.path.realpath(self.sbx) or \
                open(f"/proc/{pid}/comm").read().startswith("sbx")
        except OSError:
            return False

    @staticmethod
    def _rm_error(func, path, exc_info):
        try:  # read-only directories (an overlay's work dir): open them and try again
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            func(path)
        except OSError as e:
            log(f"clean-up: cannot remove {path}: {e}")

    # --- anchors -------------------------------------------------------------------------

    def ensure_anchors(self):
        missing = [t for t in ("bwrap", "nsenter") if not shutil.which(t)]
        if missing and not self.rootless:
            pkgs = ["bubblewrap" if t == "bwrap" else "util-linux" for t in missing]
            log(f"installing the anchors from Debian: apt-get install -y {' '.join(pkgs)}")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            cmd = ["apt-get", "install", "-y", "--no-install-recommends", *pkgs]
            if subprocess.run(cmd, env=env, stdout=sys.stderr).returncode != 0:
                subprocess.run(["apt-get", "update"], env=env, stdout=sys.stderr)
                subprocess.run(cmd, env=env, stdout=sys.stderr)
        self.have_bwrap = bool(shutil.which("bwrap"))
        self.have_nsenter = bool(shutil.which("nsenter"))
        if not self.have_bwrap:
            log("bwrap (Debian package bubblewrap) is missing and the bench is not root, so it "
                "cannot install it: run `sudo apt-get install bubblewrap` or run the bench as "
                "root; the ratios against bwrap are reported as not measured")
        elif run(BWRAP_BASE + ["true"], check=False).returncode != 0:
            log("bwrap is installed but cannot create a sandbox here (user namespaces "
                "disabled?); the ratios against bwrap are reported as not measured")
            self.have_bwrap = False

    def bwrap_oneshot(self):
        return timed(BWRAP_BASE + ["true"])

    # --- measures ------------------------------------------------------------------------

    def interleave(self, n, a, b, c=None):
        """n rounds of a(), b(), c() (b and c optional), after the warm-up rounds."""
        sides = [f for f in (a, b, c) if f]
        for _ in range(self.args.warmup):
            for f in sides:
                f()
        xs, ys, zs = [], [], []
        for _ in range(n):
            if STOP.is_set():
                raise KeyboardInterrupt
            xs.append(a())
            if b:
                ys.append(b())
            if c:
                zs.append(c())
        return (xs, ys, zs) if c else (xs, ys)

    def with_baseline(self, name, n, measure):
        """measure(sbx_binary, env) -> one timed run. Interleaves sbx, the anchor and, with
        --baseline, the other build (in a state directory of its own); returns the result."""
        env = self.new_home(name)
        a = lambda: measure(self.sbx, env)
        b = self.bwrap_oneshot if self.have_bwrap else None
        if not self.baseline:
            xs, ys = self.interleave(n, a, b)
            return xs, ys, None
        benv = self.new_home(name + "-baseline")
        xs, ys, zs = self.interleave(n, a, b,
                                     lambda: measure(self.baseline, benv))
        return xs, ys, zs

    def m_oneshot(self):
        n = self.args.oneshot_runs
        log(f"one-shot: {n} rounds of `sbx run -- true` / bwrap one-shot" + self.baseline_says)
        xs, ys, zs = self.with_baseline(
            "oneshot", n, lambda sbx, env: timed([sbx, "run", "--", "true"], env=env))
        res = self._timing_result(xs, ys, "bwrap not available" if not self.have_bwrap else None)
        return self._add_baseline(res, xs, zs)

    def _timing_result(self, xs, ys, anchor_missing=None):
        if anchor_missing:
            return {"sbx": summary(xs), "anchor": None, "ratio": None, "note": anchor_missing}
        return compare(xs, ys)

    def _add_baseline(self, res, xs, zs):
        if zs:
            res["baseline"] = compare(xs, zs)
            res["baseline"]["path"] = self.baseline
        return res

    def m_exec(self):
        env = self.new_home("exec")
        sb = self.create(env)
        n = self.args.exec_runs
        a = lambda: timed(self.sbx_cmd("exec", sb, "--", "true"), env=env)
        if not (self.have_bwrap and self.have_nsenter):
            log(f"exec: {n} runs of `sbx exec SB -- true` (no anchor)")
            xs, _ = self.interleave(n, a, None)
            run(self.sbx_cmd("terminate", sb), env=env)
            return self._timing_result(xs, None, "bwrap or nsenter not available")
        p, pid = self.start_bwrap()
        anchor = ["nsenter", "-a", "-t", str(pid), "true"]
        probe = run(anchor, check=False)
        if probe.returncode != 0 and self.rootless:
            alt = ["nsenter", "--preserve-credentials", "-a", "-t", str(pid), "true"]
            if run(alt, check=False).returncode == 0:
                anchor, probe = alt, run(alt, check=False)
        if probe.returncode == 0:
            log(f"exec: {n} pairs of `sbx exec SB -- true` / `nsenter -a -t PID true`")
            xs, ys = self.interleave(n, a, lambda: timed(anchor))
            res = compare(xs, ys)
            res["anchor_argv"] = anchor
            self.stop_bwrap(p)
            run(self.sbx_cmd("terminate", sb), env=env)
            return res
        why = probe.stderr.decode(errors="replace").strip().splitlines()
        why = why[-1] if why else f"exit {probe.returncode}"
        log(f"exec: the anchor `nsenter -a -t PID true` cannot run here ({why})")
        res = {"ratio": None, "note": "anchor cannot run" + (" rootless" if self.rootless else "")
               + f": `nsenter -a -t PID true`: {why}"}
        if self.rootless:
            # bwrap (unprivileged, with --dev) maps the caller to 0 in a first user namespace,
            # creates the other namespaces there, then runs the command in a nested user
            # namespace mapped back to the caller: from that one nothing may join them. The
            # variant joins the outer user namespace (its parent, via NS_GET_PARENT) instead.
            ufd = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
            try:
                pfd = fcntl.ioctl(ufd, NS_GET_PARENT)
            except OSError as e:
                pfd = None
                res["variant_note"] = f"NS_GET_PARENT: {e}"
            os.close(ufd)
            if pfd is not None:
                variant = ["nsenter", f"--user=/proc/self/fd/{pfd}", "--preserve-credentials",
                           "-m", "-u", "-i", "-n", "-p", "-C", "-t", str(pid), "true"]

                def v():
                    t0 = time.perf_counter()
                    r = subprocess.run(variant, stdin=subprocess.DEVNULL, capture_output=True,
                                       pass_fds=(pfd,), start_new_session=True, timeout=60)
                    if r.returncode != 0:
                        raise HarnessError("nsenter variant: " + r.stderr.decode().strip())
                    return time.perf_counter() - t0
                log(f"exec: {n} pairs of `sbx exec SB -- true` / nsenter variant (outer userns)")
                xs, ys = self.interleave(n, a, v)
                os.close(pfd)
                res["variant"] = compare(xs, ys)
                res["variant"]["anchor_argv"] = variant
                res["sbx"] = res["variant"]["sbx"]
        if "sbx" not in res:
            log(f"exec: {n} runs of `sbx exec SB -- true` (no anchor)")
            xs, _ = self.interleave(n, a, None)
            res["sbx"] = summary(xs)
        self.stop_bwrap(p)
        run(self.sbx_cmd("terminate", sb), env=env)
        return res

    def m_create(self):
        n = self.args.create_runs
        log(f"create+terminate: {n} rounds of `sbx create` + `sbx terminate` / bwrap one-shot"
            + self.baseline_says)
        parts = {"create": [], "terminate": []}

        def a(sbx, env):
            t0 = time.perf_counter()
            sb = self.create(env, sbx=sbx)
            t1 = time.perf_counter()
            run([sbx, "terminate", sb], env=env)
            t2 = time.perf_counter()
            if sbx == self.sbx:
                parts["create"].append(t1 - t0)
                parts["terminate"].append(t2 - t1)
            return t2 - t0
        xs, ys, zs = self.with_baseline("create", n, a)
        res = self._timing_result(xs, ys, None if self.have_bwrap else "bwrap not available")
        w = self.args.warmup
        res["create_only"] = summary(parts["create"][w:])
        res["terminate_only"] = summary(parts["terminate"][w:])
        return self._add_baseline(res, xs, zs)

    def pipe_run(self, producer, env, consumer=("cat",)):
        """Wall time of `producer | consumer >/dev/null-or-pipe`; returns (seconds, consumer out)."""
        with tempfile.TemporaryFile() as perr:
            t0 = time.perf_counter()
            p = subprocess.Popen(producer, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=perr, start_new_session=True)
            c = subprocess.Popen(consumer, stdin=p.stdout,
                                 stdout=subprocess.DEVNULL if consumer[0] == "cat"
                                 else subprocess.PIPE, start_new_session=True)
            p.stdout.close()
            try:
                out, _ = c.communicate(timeout=600)
                p.wait(timeout=60)
            except subprocess.TimeoutExpired as e:
                p.kill()
                c.kill()
                raise HarnessError(f"{' '.join(producer)}: no end after 600 s") from e
            dt = time.perf_counter() - t0
            if p.returncode != 0 or c.returncode != 0:
                perr.seek(0)
                raise HarnessError(f"{' '.join(producer)} | {' '.join(consumer)}: exit "
                                   f"{p.returncode}/{c.returncode}: "
                                   f"{perr.read().decode(errors='replace').strip()}")
        return dt, out

    def m_throughput(self):
        env = self.new_home("throughput")
        sb = self.create(env)
        nbytes = self.args.throughput_mib * MIB
        head = ["head", "-c", str(nbytes), "/dev/zero"]
        sides = {"sbx": self.sbx_cmd("exec", sb, "--", *head), "anchor": head}
        checked = {}
        for side, prod in sides.items():  # untimed: every byte arrives, exactly
            _, out = self.pipe_run(prod, env, consumer=("wc", "-c"))
            checked[side] = int(out.split()[0])
            if checked[side] != nbytes:
                raise HarnessError(f"throughput: {side} delivered {checked[side]} bytes, "
                                   f"not {nbytes}")
        n = self.args.throughput_runs
        log(f"throughput: {n} pairs of {self.args.throughput_mib} MiB, `sbx exec SB -- head -c "
            f"N /dev/zero | cat` / `head -c N /dev/zero | cat`")
        xs, ys = [], []
        for i in range(n):
            if STOP.is_set():
                raise KeyboardInterrupt
            xs.append(nbytes / self.pipe_run(sides["sbx"], env)[0] / 1e9)
            ys.append(nbytes / self.pipe_run(sides["anchor"], env)[0] / 1e9)
        run(self.sbx_cmd("terminate", sb), env=env)
        res = compare(xs, ys, higher_is_better=True)
        res["bytes"] = nbytes
        res["unit"] = "GB/s"
        res["byte_count_checked"] = checked
        return res

    def m_memory(self):
        env = self.new_home("memory")
        k = self.args.memory_sandboxes
        log(f"memory: PSS of {k} idle sandboxes" + (f" and {k} idle bwrap sandboxes"
                                                     if self.have_bwrap else ""))
        before = set(proc_table())
        sbs = [self.create(env) for _ in range(k)]
        sups = [self.inspect(env, sb)["supervisor_pid"] for sb in sbs]
        time.sleep(2)  # settle: nothing of the creates still running
        table = proc_table()
        trees, seen = [], set()
        for sup in sups:
            if sup not in table:
                raise HarnessError(f"memory: supervisor {sup} is not running")
            tree = descendants(sup, table)
            trees.append(tree)
            seen.update(tree)
        # anything else new that runs the sbx binary counts too ("everything sbx keeps running")
        extra = []
        for pid in set(table) - before - seen:
            try:
                if os.path.realpath(f"/proc/{pid}/exe") == self.sbx:
                    extra.append(pid)
            except OSError:
                pass
        res = {"k": k, "sbx": self._pss(trees, extra, table, k)}
        if extra:
            log(f"memory: {len(extra)} sbx process(es) outside the supervisors' trees counted")
        if self.have_bwrap:
            bws = [self.start_bwrap()[0] for _ in range(k)]
            time.sleep(1)
            table = proc_table()
            res["anchor"] = self._pss([descendants(p.pid, table) for p in bws], [], table, k)
            for p in bws:
                self.stop_bwrap(p)
        else:
            res["anchor"] = None
        res["ratio"] = None
        if res["sbx"]["per_sandbox_mb"] is None:
            names = sorted({r.split(":", 1)[1] for r in res["sbx"]["unreadable"]})
            res["note"] = ("not measured rootless: " + ", ".join(names) + " (in each sandbox) is"
                           " not dumpable, so its /proc/PID/smaps_rollup is unreadable without "
                           "CAP_SYS_PTRACE; run the bench as root for this figure")
            log("memory: " + res["note"])
        elif res["anchor"] and res["anchor"]["per_sandbox_mb"]:
            res["ratio"] = res["sbx"]["per_sandbox_mb"] / res["anchor"]["per_sandbox_mb"]
        for sb in sbs:
            run(self.sbx_cmd("terminate", sb), env=env)
        return res

    @staticmethod
    def _pss(trees, extra, table, k):
        total = {"pss_kib": 0, "rss_kib": 0, "private_kib": 0}
        by_name = {}
        roles = {}
        for t in trees:
            for pid in t:  # role: depth below the sandbox's top process, and argv[0]
                d, q = 0, pid
                while q != t[0] and q in table:
                    q, d = table[q][0], d + 1
                roles[pid] = f"{d}:{argv0(pid) or table[pid][1]}"
        for pid in extra:
            roles[pid] = f"extra:{argv0(pid) or table[pid][1]}"
        unreadable = {}
        for pid in [p for t in trees for p in t] + extra:
            try:
                m = smaps_rollup(pid)
            except PermissionError as e:
                if os.geteuid() == 0:
                    raise HarnessError(f"memory: cannot read /proc/{pid}/smaps_rollup: {e}") from e
                # rootless: a process that is not dumpable (its /proc files belong to root)
                unreadable.setdefault(roles[pid], []).append(pid)
                continue
            except OSError as e:
                raise HarnessError(f"memory: cannot read /proc/{pid}/smaps_rollup: {e}") from e
            for key in total:
                total[key] += m[key]
            name = roles[pid]
            agg = by_name.setdefault(name, {"count": 0, "pss_kib": 0, "rss_kib": 0})
            agg["count"] += 1
            agg["pss_kib"] += m["pss_kib"]
            agg["rss_kib"] += m["rss_kib"]
        if unreadable:
            return {"per_sandbox_mb": None, "unreadable": {r: len(p) for r, p in
                                                            unreadable.items()},
                    "readable_part_per_sandbox_mb": total["pss_kib"] * 1024 / k / 1e6,
                    "unreadable_vmrss_kib_each": {r: vmrss_kib(p[0]) for r, p in
                                                  unreadable.items()},
                    "by_process_name": by_name}
        return {"per_sandbox_mb": total["pss_kib"] * 1024 / k / 1e6,
                "per_sandbox_rss_mb": total["rss_kib"] * 1024 / k / 1e6,
                "per_sandbox_private_mb": total["private_kib"] * 1024 / k / 1e6,
                "processes_per_sandbox": sum(len(t) for t in trees) / k + len(extra) / k,
                "extra_processes": len(extra), "by_process_name": by_name}

    def pool_map(self, fn, items, jobs):
        """fn over items, `jobs` at a time; results in order (None where STOP prevented it)."""
        out = [None] * len(items)
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            futs = {ex.submit(lambda i=i: None if STOP.is_set() else fn(items[i])): i
                    for i in range(len(items))}
            for f in concurrent.futures.as_completed(futs):
                out[futs[f]] = f.result()
        if STOP.is_set():
            raise KeyboardInterrupt
        return out

    def m_parallel(self):
        env = self.new_home("parallel")
        n, jobs = self.args.parallel_runs, self.args.parallel_jobs
        log(f"parallel: {n} `sbx run -- true`, {jobs} at a time")

        def one(_):
            r = run(self.sbx_cmd("run", "--app", "bench-par", "--", "true"), env=env,
                    check=False)
            return r.returncode, r.stderr.decode(errors="replace").strip()
        t0 = time.perf_counter()
        codes = self.pool_map(one, list(range(n)), jobs)
        wall = time.perf_counter() - t0
        rows = json.loads(run(self.sbx_cmd("ls", "--all", "--json"), env=env).stdout)
        good = [r for r in rows if r.get("state") == "ended" and r.get("returncode") == 0
                and r.get("app") == "bench-par"]
        ok = sum(1 for c, _ in codes if c == 0)
        errors = sorted({f"exit {c}: {e}" for c, e in codes if c != 0})
        return {"runs": n, "jobs": jobs, "exit_0": ok, "rows": len(rows),
                "rows_ended_rc0": len(good), "wall_s": wall, "errors": errors[:10],
                "met": ok == n and len(rows) == n and len(good) == n}

    def m_live(self):
        env = self.new_home("live")
        m, jobs = self.args.live_sandboxes, self.args.live_jobs
        floor = self.args.min_free_mib * MIB
        log(f"live: {m} sandboxes at once ({jobs} sbx commands at a time), exec `true` in each")
        avail0 = mem_available()
        sbs, errors, lock = [], [], threading.Lock()
        stopped = None
        t0 = time.perf_counter()

        def mk(_):
            try:
                sb = self.create(env)
            except HarnessError as e:
                with lock:
                    errors.append(str(e))
                return None
            with lock:
                sbs.append(sb)
            return sb
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            pending = set()
            for i in range(m):
                if STOP.is_set():
                    break
                if len(errors) >= 20:
                    stopped = f"stopped after {len(errors)} failed creates"
                    break
                avail = mem_available()
                per = (avail0 - avail) / max(len(sbs), 1)
                if avail - per * (jobs + 1) < floor:
                    stopped = (f"stopped at {len(sbs)} sandboxes: MemAvailable "
                               f"{avail / MIB:.0f} MiB would drop below {floor / MIB:.0f} MiB")
                    log("live: " + stopped)
                    break
                pending.add(ex.submit(mk, i))
                if len(pending) >= jobs * 2:
                    _, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED)
            concurrent.futures.wait(pending)
        if STOP.is_set():
            raise KeyboardInterrupt
        t_create = time.perf_counter() - t0
        time.sleep(1)
        avail1 = mem_available()
        log(f"live: {len(sbs)} running; exec `true` in each")
        t1 = time.perf_counter()

        def ex1(sb):
            r = run(self.sbx_cmd("exec", sb, "--", "true"), env=env, check=False)
            return r.returncode, r.stderr.decode(errors="replace").strip()
        codes = self.pool_map(ex1, sbs, jobs)
        t_exec = time.perf_counter() - t1
        rows = json.loads(run(self.sbx_cmd("ls", "--json"), env=env).stdout)
        running = sum(1 for r in rows if r.get("state") == "running")
        log(f"live: terminating {len(sbs)}")
        t2 = time.perf_counter()
        terms = self.pool_map(lambda sb: run(self.sbx_cmd("terminate", sb), env=env,
                                             check=False).returncode, sbs, jobs)
        t_term = time.perf_counter() - t2
        exec_ok = sum(1 for c, _ in codes if c == 0)
        errors += sorted({f"exec exit {c}: {e}" for c, e in codes if c != 0})
        return {"target": m, "created": len(sbs), "running_after_create": running,
                "exec_ok": exec_ok, "terminate_ok": sum(1 for c in terms if c == 0),
                "stopped_early": stopped, "create_s": t_create, "exec_s": t_exec,
                "terminate_s": t_term,
                "mem_available_drop_mb_per_sandbox":
                    (avail0 - avail1) / max(len(sbs), 1) / 1e6,
                "errors": errors[:10],
                "all_ok": not errors and not stopped and exec_ok == len(sbs) == m,
                "met": len(sbs) >= 500 and not errors and exec_ok == len(sbs)}

    def m_image(self):
        env = self.new_home("image")
        pip = run(["/usr/bin/python3", "-m", "pip", "--version"], check=False)
        if pip.returncode != 0:
            why = pip.stderr.decode(errors="replace").strip().splitlines()
            note = ("the host's /usr/bin/python3 has no pip (Debian package python3-pip), which "
                    "`sbx image build --pip` runs on the host base" + (f": {why[-1]}" if why
                                                                       else ""))
            log("image: not measured: " + note)
            return {"ratio": None, "note": note}
        wheels = self.root / "wheelhouse"
        make_wheel(IMAGE_PKG, "1.0", wheels)
        build = self.sbx_cmd("image", "build", "--name", IMAGE_NAME, "--network", "none",
                             "--pip", IMAGE_PKG, "--pip-no-index", "--pip-find-links",
                             str(wheels))
        log(f"image: building {IMAGE_NAME} once, untimed (pip install {IMAGE_PKG} from a local "
            "wheelhouse, --network none)")
        t0 = time.perf_counter()
        r = run(build, env=env, timeout=600, check=False)
        build_s = time.perf_counter() - t0
        image_id = r.stdout.decode().strip()
        if r.returncode != 0 or not image_id.startswith("im-"):
            err = r.stderr.decode(errors="replace").strip().splitlines()
            why = [l for l in err if l.startswith(("ERROR", "sbx:"))] or err[-1:]
            raise HarnessError("sbx image build " + (f"exit {r.returncode}" if r.returncode
                                                     else f"printed {image_id!r}, not an id")
                               + (": " + " / ".join(why[-3:]) if why else ""))
        # once, untimed: the sandboxes of the timed side really run the image
        sb = self.create(env, "--image", IMAGE_NAME)
        recorded = self.inspect(env, sb).get("image")
        probe = f"import {IMAGE_PKG}; print({IMAGE_PKG}.__version__)"
        imp = run(self.sbx_cmd("exec", sb, "--", "python3", "-c", probe), env=env, check=False)
        run(self.sbx_cmd("terminate", sb), env=env)
        got = imp.stdout.decode(errors="replace").strip()
        if recorded != image_id or imp.returncode != 0 or got != "1.0":
            raise HarnessError(f"a sandbox of {IMAGE_NAME} ({image_id}) records image "
                               f"{recorded!r} and `python3 -c 'import {IMAGE_PKG}'` gave exit "
                               f"{imp.returncode}, {got!r}: "
                               + imp.stderr.decode(errors="replace").strip()[-200:])
        sb = self.create(env)
        host = run(self.sbx_cmd("exec", sb, "--", "python3", "-c", f"import {IMAGE_PKG}"),
                   env=env, check=False).returncode
        run(self.sbx_cmd("terminate", sb), env=env)

        n = self.args.image_runs
        log(f"image: {n} pairs of `sbx create --image {IMAGE_NAME}` / `sbx create` (each "
            "terminated right after, untimed)")
        terms = {"image": [], "host": []}

        def side(key, *extra):
            def one():
                t0 = time.perf_counter()
                sb = self.create(env, *extra)
                t1 = time.perf_counter()
                run(self.sbx_cmd("terminate", sb), env=env)
                terms[key].append(time.perf_counter() - t1)
                return t1 - t0
            return one
        xs, ys = self.interleave(n, side("image", "--image", IMAGE_NAME), side("host"))
        res = compare(xs, ys)
        w = self.args.warmup
        res.update({"image_id": image_id, "build_s": build_s, "package": IMAGE_PKG,
                    "import_checked": got, "host_base_imports": host == 0,
                    "terminate_image": summary(terms["image"][w:]),
                    "terminate_host": summary(terms["host"][w:])})
        return res


# ---------------------------------------------------------------------------------------------
# the table


def fmt_ms(s):
    return f"{s['median'] * 1e3:.1f} ms ({s['p10'] * 1e3:.1f}-{s['p90'] * 1e3:.1f})"


def fmt_gbs(s):
    return f"{s['median']:.2f} GB/s ({s['p10']:.2f}-{s['p90']:.2f})"


def met(ratio, limit, higher=False):
    if ratio is None:
        return "n/a"
    return "yes" if (ratio >= limit if higher else ratio <= limit) else "NO"


def table_rows(results):
    """Rows of the table, and the notes the cells refer to as [n]."""
    rows, notes = [], []

    def note(text):
        notes.append(text)
        return f"[{len(notes)}]"

    def failed(label, r, target):
        rows.append([label, "failed " + note(r["error"]), "-", "-", target, "n/a"])

    def ratio_cell(r):
        if r.get("ratio") is None:
            return "-"
        lo, hi = r.get("ratio_ci95", [None, None])
        return f"{r['ratio']:.2f}x" + (f" ({lo:.2f}-{hi:.2f})" if lo is not None else "")

    def timing(key, label, target, limit):
        r = results.get(key)
        if r is None:
            return
        if "error" in r:
            return failed(label, r, target)
        if not r.get("sbx"):
            rows.append([label, "not measured " + note(r["note"]), "-", "-", target, "n/a"])
            return
        anchor = fmt_ms(r["anchor"]) if r.get("anchor") else "not measured " + note(r["note"])
        rows.append([label, fmt_ms(r["sbx"]) if r.get("sbx") else "-", anchor, ratio_cell(r),
                     target, met(r.get("ratio"), limit)])
        bl = r.get("baseline")
        if bl:
            anchor_ms = r["anchor"]["median"] if r.get("anchor") else None
            vs = f", {bl['anchor']['median'] / anchor_ms:.2f}x the anchor" if anchor_ms else ""
            rows.append(["  sbx / the --baseline build " + note(f"--baseline {bl['path']}{vs}"),
                         fmt_ms(bl["sbx"]), fmt_ms(bl["anchor"]), ratio_cell(bl), "(none)",
                         "n/a"])
        v = r.get("variant")
        if v:
            rows.append(["  variant anchor, rootless " + note(
                "bwrap (unprivileged, with --dev) runs its command in a second user namespace "
                "nested in the one that owns its other namespaces, so nsenter cannot join them "
                "from there. The variant joins the outer one instead: nsenter --user=<parent "
                "of the sleep's user namespace> --preserve-credentials -m -u -i -n -p -C -t PID "
                "true. Same namespaces entered, not the anchor of the target, so no verdict."),
                fmt_ms(v["sbx"]), fmt_ms(v["anchor"]), ratio_cell(v), "(none)", "n/a"])

    timing("oneshot", "one-shot `sbx run -- true` / bwrap", "<= 1.0x", 1.0)
    timing("exec", "`sbx exec SB -- true` / nsenter -a", "<= 1.2x", 1.2)
    timing("create", "`sbx create` + `terminate` / bwrap", "<= 2.0x", 2.0)
    r = results.get("throughput")
    if r is not None:
        label = "stdout throughput" + (f", {r['bytes'] // MIB} MiB | cat" if "bytes" in r else "")
        if "error" in r:
            failed(label, r, ">= 0.9x")
        else:
            rows.append([label, fmt_gbs(r["sbx"]), fmt_gbs(r["anchor"]), ratio_cell(r),
                         ">= 0.9x", met(r["ratio"], 0.9, higher=True)])
    r = results.get("memory")
    if r is not None:
        label = "memory per idle sandbox (PSS" + (f", {r['k']} idle)" if "k" in r else ")")
        if "error" in r:
            failed(label, r, "<= 1 MB")
        else:
            s, a = r["sbx"], r.get("anchor")
            mb = lambda x: f"{x['per_sandbox_mb']:.2f} MB ({x['processes_per_sandbox']:g} procs)"
            rows.append([label, mb(s) if s.get("per_sandbox_mb") is not None
                         else "not measured " + note(r["note"]),
                         mb(a) if a else "not measured: no bwrap", ratio_cell(r), "<= 1 MB",
                         "n/a" if s.get("per_sandbox_mb") is None
                         else "yes" if s["per_sandbox_mb"] <= 1.0 else "NO"])
    r = results.get("live")
    if r is not None:
        target = ">= 500, all exec-able"
        if "error" in r:
            failed("live sandboxes at once", r, target)
        else:
            txt = (f"{r['exec_ok']}/{r['created']} exec ok (asked {r['target']})")
            extra = [f"create {r['create_s']:.0f} s, exec {r['exec_s']:.0f} s, terminate "
                     f"{r['terminate_s']:.0f} s for all; MemAvailable "
                     f"{r['mem_available_drop_mb_per_sandbox']:.1f} MB lower per live sandbox"]
            if r["stopped_early"]:
                extra.append(r["stopped_early"])
            if r["errors"]:
                extra.append("errors: " + "; ".join(r["errors"][:3]))
            rows.append(["live sandboxes at once", txt + " " + note(". ".join(extra)), "-", "-",
                         target, "yes" if r["met"] else
                         ("NO" if r["target"] >= 500 or not r["all_ok"]
                          else f"n/a (asked {r['target']})")])
    r = results.get("parallel")
    if r is not None:
        target = "all succeed, no lost rows"
        if "error" in r:
            failed("parallel one-shots", r, target)
        else:
            cell = (f"{r['exit_0']}/{r['runs']} exit 0, {r['rows_ended_rc0']}/{r['rows']} rows "
                    f"ended rc 0, {r['wall_s']:.1f} s")
            if r["errors"]:
                cell += " " + note("errors: " + "; ".join(r["errors"][:3]))
            rows.append([f"{r['runs']} one-shots, {r['jobs']} at a time", cell, "-", "-", target,
                         ("yes" if r["runs"] >= 100 else f"yes ({r['runs']} runs)")
                         if r["met"] else "NO"])
    timing("image", "`sbx create --image` (pip) / `sbx create`", "<= 1.1x", 1.1)
    return rows, notes


def print_table(rows, notes):
    head = ["measure", "sbx", "anchor", "ratio (95% CI)", "target", "met?"]
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print(line(r))
    print("sbx and anchor: median (p10-p90) of the interleaved runs; ratio: sbx / anchor medians")
    for i, n in enumerate(notes, 1):
        print(f"[{i}] {n}")


# ---------------------------------------------------------------------------------------------


MEASURES = ["oneshot", "exec", "create", "throughput", "memory", "parallel", "live", "image"]


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Measure sbx against bubblewrap, nsenter and a raw pipe (see "
                    "tests/bench/README.md). Counts also come from SBX_BENCH_<NAME> variables, "
                    "e.g. SBX_BENCH_LIVE_SANDBOXES=200; flags win.")
    p.add_argument("--sbx", default=os.environ.get("SBX", str(REPO / "build" / "sbx")),
                   help="the sbx binary (default: $SBX or build/sbx of this repository)")
    p.add_argument("--json", default=os.environ.get("SBX_BENCH_JSON",
                                                    str(REPO / "build" / "bench.json")),
                   help="where to write the JSON record (default: build/bench.json)")
    p.add_argument("--quick", action="store_true", help="few runs of each: a smoke run")
    p.add_argument("--baseline", default=os.environ.get("SBX_BENCH_BASELINE", ""),
                   help="another sbx binary (an older build) timed in the same rounds as sbx "
                        "for the one-shot and create+terminate measures")
    p.add_argument("--only", default=os.environ.get("SBX_BENCH_ONLY", ""),
                   help="comma-separated measures to run, from: " + ",".join(MEASURES))
    for name, (dflt, quick, hlp) in COUNTS.items():
        p.add_argument("--" + name.replace("_", "-"), type=int, default=None,
                       help=f"{hlp} (default {dflt}, --quick {quick})")
    args = p.parse_args(argv)
    for name, (dflt, quick, _) in COUNTS.items():
        if getattr(args, name) is None:
            env = os.environ.get("SBX_BENCH_" + name.upper())
            setattr(args, name, int(env) if env else (quick if args.quick else dflt))
        if getattr(args, name) < (0 if name == "warmup" else 1):
            p.error(f"--{name.replace('_', '-')} must be positive")
    args.only = [m for m in args.only.split(",") if m] or MEASURES
    for m in args.only:
        if m not in MEASURES:
            p.error(f"unknown measure {m!r}; known: {', '.join(MEASURES)}")
    return args


def main(argv):
    args = parse_args(argv)
    if args.baseline and not os.access(args.baseline, os.X_OK):
        print(f"bench: --baseline {args.baseline} is not an executable", file=sys.stderr)
        return 2
    if not os.access(args.sbx, os.X_OK):
        print(f"bench: {args.sbx} is not an executable sbx (build it with `make`, or set SBX)",
              file=sys.stderr)
        return 2

    def on_signal(signum, _frame):
        STOP.set()
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    bench = Bench(args)
    started = time.monotonic()
    record = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_info(),
              "sbx": {"path": bench.sbx, "version": tool_version([bench.sbx, "--version"]),
                      **git_info()},
              "mode": "rootless" if bench.rootless else "root",
              "user": os.environ.get("USER") or str(os.geteuid()),
              "config": {k: getattr(args, k) for k in COUNTS} | {"quick": args.quick,
                                                                  "only": args.only,
                                                                  "baseline": bench.baseline}}
    interrupted = False
    try:
        bench.ensure_anchors()
        record["anchors"] = {"bwrap": tool_version(["bwrap", "--version"]),
                             "nsenter": tool_version(["nsenter", "--version"])}
        for m in args.only:
            t0 = time.monotonic()
            try:
                bench.results[m] = getattr(bench, "m_" + m)()
            except HarnessError as e:
                log(f"{m}: FAILED: {e}")
                bench.errors.append(f"{m}: {e}")
                bench.results[m] = {"error": str(e)}
            bench.results[m]["elapsed_s"] = time.monotonic() - t0
    except KeyboardInterrupt:
        STOP.set()
        interrupted = True
        log("interrupted: cleaning up")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.cleanup()
    record["machine"]["loadavg_end"] = os.getloadavg()
    record["elapsed_s"] = time.monotonic() - started
    record["measures"] = bench.results
    record["errors"] = bench.errors
    record["interrupted"] = interrupted
    rows, notes = table_rows(bench.results)
    if rows:
        print_table(rows, notes)
    print(f"\n{record['mode']}, {record['machine']['nproc']} CPUs, load "
          f"{record['machine']['loadavg_start'][0]:.1f} -> {record['machine']['loadavg_end'][0]:.1f}"
          f", {record['elapsed_s']:.0f} s; sbx {record['sbx'].get('commit') or '?'}"
          f"{' (dirty tree)' if record['sbx'].get('dirty') else ''}")
    try:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(record, f, indent=2)
            f.write("\n")
        print(f"raw figures: {args.json}")
    except OSError as e:
        log(f"cannot write {args.json}: {e}")
        return 1
    if interrupted:
        return 130
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
