# Sourced by the integration tests (not a test itself: the test globs skip lib/).
# scaleml_processes ROOT SCALEML: the pids of the live processes that a test under ROOT (its
# temporary folder) left: every process running the SCALEML binary (scaleml, its daemons forked
# by `start`: agents, the dashboard; scaleml-worker, scaleml-objsrv) or redis-server whose
# command line or environment names ROOT. Every daemon `start` leaves inherits SCALEML_HOME (under
# ROOT) and Redis's config file lies under it, while their working folder is "/" and their parent
# is init: neither the folder nor the parent finds them, the binary and ROOT do.
# kill_scaleml_processes ROOT SCALEML: SIGKILL to each of them (a test's last-resort cleanup).
scaleml_processes() {
  local root=${1%/}/ scaleml redis dir pid exe
  scaleml=$(readlink -f "$2")
  redis=$(readlink -f /usr/bin/redis-server 2>/dev/null)
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    exe=$(readlink "$dir/exe" 2>/dev/null) || continue  # gone, a zombie, or a kernel thread
    exe=${exe% (deleted)}                                 # the binary was rebuilt meanwhile
    [ "$exe" = "$scaleml" ] || { [ -n "$redis" ] && [ "$exe" = "$redis" ]; } || continue
    grep -q '^[0-9]* ([^)]*) Z' "$dir/stat" 2>/dev/null && continue
    if tr '\0' '\n' <"$dir/cmdline" 2>/dev/null | grep -qF -- "$root" ||
        tr '\0' '\n' <"$dir/environ" 2>/dev/null | grep -qF -- "$root"; then
      echo "$pid"
    fi
  done
  return 0
}

kill_scaleml_processes() {
  local pid
  for pid in $(scaleml_processes "$1" "$2"); do kill -KILL "$pid" 2>/dev/null; done
  return 0
}
