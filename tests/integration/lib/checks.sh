# Sourced by the loopback integration tests (not a test itself: the test globs skip lib/).
# check NAME STATUS: prints PASS or FAIL and counts it in $passed / $failed.
# free_port: a TCP port free on 127.0.0.1 at the moment of asking.
passed=0
failed=0
check() {
  if [ "$2" -eq 0 ]; then echo "PASS: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi
}
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
