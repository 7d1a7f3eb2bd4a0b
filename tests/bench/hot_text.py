#!/usr/bin/python3
"""Writes src/hot_text.ld: the code sbx's commands run, to be linked first and together.

Why: on a VM with shadow paging a page fault costs about 25 us, and a process faults once per
64 KiB window of text it touches (the kernel maps the cached pages around a fault). A plain
link scatters what one `sbx run` calls over sbx's 3.5 MB of text: the CLI took about 50 such
faults, its pid 1 another 12. Listed first, in an output section of its own, the called code
takes far fewer: 21 to 29 and 3 to 8 in the order of how many commands call it, 15 and 1 laid
out by process as below.

How: it builds nothing. It takes build/sbx and the link map that every `make` writes beside it
(build/sbx.map), puts one uprobe on every function of build/sbx (tracefs, so root), runs a set
of commands like the benchmark's in a scratch SBX_HOME, and traces which functions each process
of each command called (pid 1, the supervisor and the keepers run sbx's code too). The input
sections that hold them, as the map names them, become the list, ordered so that each process
of a one-shot `run` finds its code in one stretch: what its CLI alone runs, what its CLI and
its pid 1 both run, what its pid 1 alone runs (a forked pid 1 faults its text in afresh); then
the rest, what more of the commands call first, then in link order. glibc's string functions
are not probed; the CPU variants of them that this machine runs (what the IFUNC resolvers
return, seen by a uretprobe on each) go with the one-shot's code. Objects built without
function sections (Debian's SQLite, libseccomp, liburing) can only move whole: one goes in when
at least a quarter of its text was called, or it is small, or the one-shot runs some of it and
it is under 16 KiB; else it stays where it was (an fts5.o of 126 KB whose one init function
runs at each open costs one fault wherever it lies).

Usage, as root, after a `make` (takes about 8 minutes, most of it registering the uprobes):
  tests/bench/hot_text.py                 # profile build/sbx, write src/hot_text.ld
  tests/bench/hot_text.py --check         # how much of the list the current link still finds
Then `make` again. A stale list is only slower, never wrong: a function it does not name is
linked where it would have been without it.
"""
import argparse
import bisect
import os
import re
import subprocess
import sys
import tempfile

TRACEFS = "/sys/kernel/tracing"
GROUP = "sbx_hot_text"
HOT_SECTION = ".text.sbx_hot"
WHOLE_OBJECT_MIN_SHARE = 0.25  # of an object's .text called, for it to move whole
WHOLE_OBJECT_SMALL = 4096      # bytes: small enough to move whenever it was called
ONESHOT = "run"                # the command whose processes' code is laid out first
BUFFER_KB = 262144             # per CPU: every call of every probed function is traced
ONESHOT_OBJECT_MAX = 16384     # bytes: an object the one-shot runs code of moves whole up to this
# glibc's string and memory functions in their CPU variants (strchrnul-sse2.o,
# memmove-avx-unaligned-erms.o, ...), hand-written assembly, are not probed: with a uprobe on
# one of them (__strchrnul_sse2, found by bisecting the probes) `sbx run` died of SIGSEGV. The
# variants this CPU runs are listed all the same, from what the IFUNC resolvers pick.
UNPROBED_OBJECT = re.compile(r"libc\.a\([^)]*-(sse2|ssse3|sse4|avx|avx2|avx512|evex|erms|rtm)")


def log(msg):
    print(f"hot_text: {msg}", file=sys.stderr, flush=True)


def functions(binary, types="tTwWi"):
    """{address: (name, size)} of the binary's defined functions (of the nm types given; i is
    an IFUNC's resolver, which glibc's start runs for every IFUNC, in every process)."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    funcs = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in types and int(p[1], 16) > 0:
            funcs.setdefault(int(p[0], 16), (p[3], int(p[1], 16)))
    return funcs


def text_segment(binary):
    """(file offset, vaddr, size) of the executable LOAD segment."""
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD" and "E" in p[-2]:
            return int(p[1], 16), int(p[2], 16), int(p[4], 16)
    raise SystemExit(f"hot_text: {binary} has no executable segment")


def input_sections(mapfile):
    """[(address, size, section name, object)] of the map's text output sections, by address."""
    secs = []
    lines = open(mapfile).read().splitlines()
    in_text = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line and not line.startswith(" "):
            in_text = re.match(r"^\.text(\.\S+)?(\s|$)", line) is not None
        elif in_text:
            whole = re.match(r"^ (\.text\S*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
            alone = re.match(r"^ (\.text\S*)\s*$", line)
            if whole:
                secs.append((int(whole.group(2), 16), int(whole.group(3), 16), whole.group(1),
                             whole.group(4)))
            elif alone and i + 1 < len(lines):
                nxt = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", lines[i + 1])
                if nxt:
                    secs.append((int(nxt.group(1), 16), int(nxt.group(2), 16), alone.group(1),
                                 nxt.group(3)))
                    i += 1
        i += 1
    return sorted(s for s in secs if s[1] > 0)


def pattern(name, obj):
    """The linker script's pattern for one input section."""
    if name != ".text":
        return f"*({name})"  # a function section: its name is unique enough
    if obj.endswith(")") and "(" in obj:  # archive(member)
        archive, member = obj[:-1].split("(", 1)
        return f"*{os.path.basename(archive)}:{member}(.text)"
    return f"*{os.path.basename(obj)}(.text)"


class Probes:
    """One uprobe per function, removed again on exit."""

    def __init__(self, binary, funcs, kind="p", fetch=""):
        self.names = {}
        self.buffer_kb = open(f"{TRACEFS}/buffer_size_kb").read().split()[0]
        off, vaddr, size = text_segment(binary)
        lines = []
        for i, addr in enumerate(sorted(funcs)):
            if vaddr <= addr < vaddr + size:
                self.names[f"f{i}"] = addr
                lines.append(f"{kind}:{GROUP}/f{i} {binary}:0x{addr - vaddr + off:x}{fetch}\n")
        self.clear()
        log(f"registering {len(lines)} uprobes (a few minutes)")
        fd = os.open(f"{TRACEFS}/uprobe_events", os.O_WRONLY | os.O_APPEND)
        refused = 0
        try:
            for line in lines:
                try:
                    os.write(fd, line.encode())
                except OSError:
                    refused += 1
        finally:
            os.close(fd)
        if refused:
            log(f"{refused} functions could not be probed; they are left where they are")
        self.write("tracing_on", "0")  # on only while a profiled command runs
        self.write(f"events/{GROUP}/enable", "1")

    @staticmethod
    def write(path, text):
        with open(f"{TRACEFS}/{path}", "w") as f:
            f.write(text)

    def clear(self):
        if os.path.isdir(f"{TRACEFS}/events/{GROUP}"):
            self.write(f"events/{GROUP}/enable", "0")
        fd = os.open(f"{TRACEFS}/uprobe_events", os.O_WRONLY | os.O_APPEND)
        try:
            for name in self.names:
                try:
                    os.write(fd, f"-:{GROUP}/{name}\n".encode())
                except OSError:
                    pass
        finally:
            os.close(fd)
        self.write("tracing_on", "1")


def workload(sbx, home):
    """A runner of sbx commands, and the commands profiled: (label, call) pairs, run in order;
    a call that needs a sandbox id takes the one the last create made."""
    env = dict(os.environ, SBX_HOME=home)

    def run(args, stdin=subprocess.DEVNULL, check=True):
        r = subprocess.run([sbx] + args, env=env, stdin=stdin, capture_output=True)
        if check and r.returncode != 0:
            raise SystemExit(f"hot_text: sbx {' '.join(args)}: exit {r.returncode}: "
                             + r.stderr.decode(errors="replace").strip())
        return r.stdout.decode().strip()

    state = {}

    def create(*extra):
        state["sb"] = run(["create", *extra])

    return run, [
        ("run", lambda: run(["run", "--", "true"])),
        ("run exit 3", lambda: run(["run", "--", "sh", "-c", "exit 3"], check=False)),
        ("run stdin", lambda: run(["run", "--", "cat"], stdin=open("/etc/hostname", "rb"))),
        ("create", lambda: create()),
        ("exec", lambda: run(["exec", state["sb"], "--", "true"])),
        ("exec sh", lambda: run(["exec", state["sb"], "--", "sh", "-c", "echo hi"])),
        ("ls", lambda: run(["ls"])),
        ("ls json", lambda: run(["ls", "--json"])),
        ("inspect", lambda: run(["inspect", state["sb"]])),
        ("terminate", lambda: run(["terminate", state["sb"]])),
        ("run image", lambda: run(["run", "--image", "hot-text", "--", "true"])),
        ("create image", lambda: create("--image", "hot-text")),
        ("terminate image", lambda: run(["terminate", state["sb"]])),
    ]


def section_of(secs, addr):
    """The index in secs (input_sections(), sorted) of the section holding addr, or None."""
    k = bisect.bisect_right(secs, (addr, float("inf"))) - 1
    return k if k >= 0 and addr < secs[k][0] + secs[k][1] else None


def unprobed(secs, k):
    return k is not None and UNPROBED_OBJECT.search(secs[k][3]) is not None


def probed(funcs, secs):
    """funcs without those in objects it is not safe to probe (UNPROBED_OBJECT)."""
    return {addr: f for addr, f in funcs.items() if not unprobed(secs, section_of(secs, addr))}


def role(comm):
    """Which process a function ran in, by the comm its process had last: the CLI (and the
    supervisor's short-lived parent, in the CLI's memory), a detached supervisor, or the
    sandbox's side: pid 1, its keepers and what it spawns before their execve, all in pid 1's
    memory and so in its page tables."""
    return {"sbx": "cli", "sbx-supervisor": "supervisor"}.get(comm, "init")


def traced_calls(probes):
    """{pid: addresses of the functions it called} since the trace was last cleared, and
    {pid: comm}."""
    calls, comms = {}, {}
    line_re = re.compile(r"^\s*(.+)-(\d+)\s+\[\d+\]\s+\S+\s+[\d.]+: (f\d+):")
    with open(f"{TRACEFS}/trace") as f:
        for line in f:
            m = line_re.match(line)
            if not m:
                if "LOST" in line:
                    raise SystemExit("hot_text: the trace buffer overflowed; raise BUFFER_KB")
                continue
            pid = int(m.group(2))
            comms[pid] = m.group(1).strip()
            calls.setdefault(pid, set()).add(probes.names[m.group(3)])
    return calls, comms


def cpu_variants(sbx, secs):
    """Indices of the sections (in secs) of the CPU variants of glibc's string and memory
    functions that this machine runs: what each IFUNC resolver returns (a uretprobe on each;
    they all run at every start). Those functions are not probed (UNPROBED_OBJECT)."""
    resolvers = functions(sbx, "i")
    probes = Probes(sbx, resolvers, kind="r", fetch=" ret=$retval")
    picked = set()
    line_re = re.compile(r": (f\d+): \(0x[0-9a-f]+ <- (0x[0-9a-f]+)\) ret=(0x[0-9a-f]+)")
    try:
        probes.write("trace", "")
        probes.write("tracing_on", "1")
        subprocess.run([sbx, "--version"], capture_output=True, check=True)
        probes.write("tracing_on", "0")
        with open(f"{TRACEFS}/trace") as f:
            for line in f:
                m = line_re.search(line)
                if m:  # the resolver's address tells where build/sbx lies
                    base = int(m.group(2), 16) - probes.names[m.group(1)]
                    picked.add(int(m.group(3), 16) - base)
    finally:
        probes.clear()
    out = {section_of(secs, addr) for addr in picked}
    out = {k for k in out if unprobed(secs, k)}
    log(f"{len(resolvers)} IFUNCs pick {len(out)} sections of CPU variants")
    return out


def profile(sbx, secs):
    """The functions: {address: how many of the commands called it} and {address: roles
    (role() of the processes) that called it in a one-shot `run`}."""
    funcs = functions(sbx)
    with tempfile.TemporaryDirectory(prefix="sbx-hot-text.") as home:
        run, commands = workload(sbx, home)
        # Untimed and unprofiled: the store's first open (migrations) and an image to use.
        run(["image", "build", "--name", "hot-text", "--network", "none", "--run",
             "mkdir -p /opt/hot-text"])
        probes = Probes(sbx, probed(funcs, secs))
        users, oneshot = {}, {}
        seen = {}  # (label, pid) -> addresses; roles are known once every command has run
        comms = {}  # pid -> the comm its process had last
        try:
            probes.write("buffer_size_kb", str(BUFFER_KB))
            for _ in range(2):  # the second time, with what the first left (caches, rows)
                for label, command in commands:
                    probes.write("trace", "")
                    probes.write("tracing_on", "1")
                    command()
                    probes.write("tracing_on", "0")
                    calls, named = traced_calls(probes)
                    for pid, addrs in calls.items():
                        seen.setdefault((label, pid), set()).update(addrs)
                    comms.update(named)
        finally:
            probes.clear()
        for (label, pid), addrs in seen.items():
            who = role(comms.get(pid, "sbx"))
            for addr in addrs:
                users.setdefault(addr, set()).add(label)
                if label == ONESHOT:
                    oneshot.setdefault(addr, set()).add(who)
    log(f"{len(users)} of {len(funcs)} functions called by {len(commands)} commands")
    return funcs, {a: len(l) for a, l in users.items()}, oneshot


def block(roles):
    """Where code a one-shot's processes run goes: what only its CLI runs, what its CLI and its
    pid 1 both run, what only its pid 1 runs; 3 for the rest."""
    cli, init = "cli" in roles, "init" in roles
    return 1 if cli and init else 0 if cli else 2 if init else 3


def choose(funcs, users, oneshot, variants, secs):
    """[(rank, address, pattern, length)] of the input sections to list, in their order.

    A process faults once per 64 KiB window of text it touches, so what one process runs
    should lie together. The one-shot `run` comes first (block()); each of its two processes
    then finds its code in one stretch. The rest follows, the most widely used first. An object
    without function sections moves whole when enough of it is called (the share rule above),
    or when the one-shot runs any of it and it is small. The CPU variants glibc picks
    (cpu_variants()) go with what both of the one-shot's processes run: their sections are
    named by variant (.text.evex and the like), so listing one lists its family."""
    called = {}  # section index -> (rank, bytes called)
    for addr, n in users.items():
        k = section_of(secs, addr)
        if k is None:
            continue
        rank, size = called.get(k, ((4, 0), 0))
        called[k] = (min(rank, (block(oneshot.get(addr, set())), -n)), size + funcs[addr][1])
    for k in variants:
        called.setdefault(k, ((1, 0), secs[k][1]))
    chosen = []
    for k, (rank, size) in called.items():
        addr, length, name, obj = secs[k]
        share = size >= WHOLE_OBJECT_MIN_SHARE * length or length <= WHOLE_OBJECT_SMALL
        if name == ".text" and not share and not (rank[0] < 3 and length <= ONESHOT_OBJECT_MAX):
            continue
        chosen.append((rank, addr, pattern(name, obj), length))
    chosen.sort(key=lambda c: (c[0], c[1]))
    seen, unique = set(), []
    for c in chosen:  # one pattern may name several sections (a variant's family)
        if c[2] not in seen:
            seen.add(c[2])
            unique.append(c)
    return unique


def write_script(chosen, out, sbx):
    total = sum(c[3] for c in chosen)
    with open(out + ".tmp", "w") as f:
        f.write(f"""/* The text sbx's commands run, linked first and together: each 64 KiB window of text a
   process touches costs it a page fault. Made by tests/bench/hot_text.py from a profile of
   {os.path.relpath(sbx)} (uprobes on every function, a workload like `make bench`'s): {len(chosen)} input
   sections, {total // 1024} KiB: what a one-shot `run`'s CLI alone runs, then what its CLI and
   its pid 1 both run, then what its pid 1 alone runs, then the rest, the most widely used
   first. Regenerate it rather than edit it; a name it lists that no longer exists is ignored,
   and what it does not list is linked as without it. */
SECTIONS
{{
  {HOT_SECTION} :
  {{
""")
        for c in chosen:
            f.write(f"    {c[2]}\n")
        f.write("  }\n}\nINSERT BEFORE .text;\n")
    os.replace(out + ".tmp", out)
    log(f"wrote {out}: {len(chosen)} sections, {total // 1024} KiB")


def check(script, mapfile):
    listed = [l.strip() for l in open(script) if l.strip().startswith("*")]
    placed = set()
    for addr, size, name, obj in input_sections(mapfile):
        placed.add(pattern(name, obj))
    found = sum(1 for p in listed if p in placed)
    print(f"{found} of {len(listed)} sections listed in {script} are in {mapfile}"
          f" ({100 * found // max(1, len(listed))}%)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sbx", default="build/sbx")
    ap.add_argument("--map", default="build/sbx.map")
    ap.add_argument("--out", default="src/hot_text.ld")
    ap.add_argument("--check", action="store_true",
                    help="only say how much of --out the link map still finds")
    args = ap.parse_args()
    if args.check:
        check(args.out, args.map)
        return
    if os.geteuid() != 0:
        raise SystemExit("hot_text: uprobes need root")
    if not os.path.exists(f"{TRACEFS}/uprobe_events"):
        raise SystemExit(f"hot_text: no {TRACEFS}/uprobe_events (tracefs, CONFIG_UPROBE_EVENTS)")
    sbx = os.path.abspath(args.sbx)
    secs = input_sections(args.map)
    variants = cpu_variants(sbx, secs)
    funcs, users, oneshot = profile(sbx, secs)
    write_script(choose(funcs, users, oneshot, variants, secs), args.out, args.sbx)


if __name__ == "__main__":
    main()
