#!/bin/sh
# scaleml generate interrupted or failing leaves nothing behind: SIGINT, SIGTERM or SIGHUP during
# a large generate removes FILE.csv.tmp.PID and writes no sidecar; --out onto a folder is refused
# (exit 2) without writing beside it. Args: $1 = scaleml binary, $2 = tests/data folder.
set -eu
BIN=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Starts a generate far too large to finish, waits for its temporary file to grow, sends the
# signal and checks the exit status and that the folder is empty again.
interrupt() {
  signal=$1
  number=$2
  out="$DIR/big_$signal.csv"
  # A background job of a non-interactive shell starts with SIGINT ignored: give it back its
  # default action, as a terminal's Ctrl-C would find it.
  env --default-signal=INT "$BIN" generate --size 50GB --threads 2 --out "$out" >/dev/null 2>&1 &
  pid=$!
  tries=0
  until [ -n "$(find "$DIR" -name 'big_*.tmp.*' -size +1k 2>/dev/null)" ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 600 ] || { kill -KILL "$pid"; fail "$signal: no temporary file after 60 s"; }
    sleep 0.1
  done
  kill -"$signal" "$pid"
  set +e
  wait "$pid"
  code=$?
  set -e
  [ "$code" -eq $((128 + number)) ] || fail "$signal: exit $code, expected $((128 + number))"
  [ -z "$(ls -A "$DIR")" ] || fail "$signal left files: $(ls -A "$DIR")"
}
interrupt INT 2
interrupt TERM 15
interrupt HUP 1

# --out onto an existing folder: exit 2, one line, nothing written beside or inside it.
mkdir "$DIR/folder.csv"
set +e
"$BIN" generate --samples 100 --out "$DIR/folder.csv" >/dev/null 2>"$DIR/err"
code=$?
set -e
[ "$code" -eq 2 ] || fail "--out folder: exit $code"
grep -q "is a folder" "$DIR/err" || fail "--out folder: $(cat "$DIR/err")"
rm "$DIR/err"
[ "$(ls -A "$DIR")" = "folder.csv" ] || fail "--out folder left: $(ls -A "$DIR")"
[ -z "$(ls -A "$DIR/folder.csv")" ] || fail "--out folder wrote inside it"

echo "ok"
