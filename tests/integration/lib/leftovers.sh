# shellcheck shell=bash
# Sourced by the integration tests (not a test itself: the test globs skip lib/).
# scaleml_processes ROOT SCALEML: the pids of the live processes that a test under ROOT (its
# temporary folder or SCALEML_HOME) left: every process running the SCALEML binary (scaleml, the
# daemons `start` forks: node agents, the dashboard; scaleml-worker, scaleml-objsrv) or
# redis-server that names ROOT in its command line, environment, working folder or open files.
# The scaleml daemons inherit SCALEML_HOME but work in "/" with init as their parent, so neither
# their folder nor a parent finds them (a leaked dashboard went unseen so); the binary and ROOT do,
# with no pid file needed.
# kill_scaleml_processes ROOT SCALEML: SIGKILL to each of them (a test's last-resort cleanup).
scaleml_processes() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import os, sys
root = os.path.realpath(sys.argv[1])
binaries = {os.path.realpath(sys.argv[2]), os.path.realpath("/usr/bin/redis-server")}

def names_root(path):  # ROOT itself or a path under it, not a sibling that starts with its name
    return path == root or path.startswith(root + "/")

def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""

for pid in filter(str.isdigit, os.listdir("/proc")):
    proc = "/proc/" + pid
    try:
        exe = os.readlink(proc + "/exe").removesuffix(" (deleted)")  # rebuilt meanwhile
        if exe not in binaries or read(proc + "/stat").rpartition(")")[2].split()[0] == "Z":
            continue
    except (OSError, IndexError):  # gone, a kernel thread, or a zombie
        continue
    words = read(proc + "/cmdline").split("\0") + read(proc + "/environ").split("\0")
    words = [w.partition("=")[2] if "=" in w else w for w in words]
    try:
        words.append(os.readlink(proc + "/cwd"))
        words += [os.readlink(proc + "/fd/" + fd) for fd in os.listdir(proc + "/fd")]
    except OSError:
        pass
    if any(names_root(w) for w in words):
        print(pid)
PY
}

kill_scaleml_processes() {
  local pid
  for pid in $(scaleml_processes "$1" "$2"); do kill -KILL "$pid" 2>/dev/null; done
  return 0
}
