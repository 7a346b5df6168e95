"""Shared helpers for the benchmark scripts: run a command, time it, take its peak RSS."""
import json
import os
import platform
import sys
import time


def run_with_rss(cmd, env=None):
    """Runs cmd with its output captured; returns (seconds, peak_rss_bytes, stdout)."""
    start = time.monotonic()
    out_path = f"/tmp/scaleml-bench-{os.getpid()}.out"
    err_path = out_path + ".err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                os.execvpe(cmd[0], cmd, env if env is not None else os.environ)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    text = open(out_path).read()
    error = open(err_path).read()
    os.remove(out_path)
    os.remove(err_path)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {error.strip()[-800:]}")
    return seconds, usage.ru_maxrss * 1024, text


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_bytes": mem,
            "system": platform.platform()}


def drop_page_cache(path):
    """Evicts a file from the page cache where allowed (a cold read); returns whether it did."""
    try:
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
        return True
    except OSError:
        return False


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
    os.replace(tmp, path)


def log(msg):
    print(msg, file=sys.stderr, flush=True)
