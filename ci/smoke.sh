#!/usr/bin/env bash
# The smoke check, as a new user starts: the bundled mock provider with its defaults, then
# `faas-certifier run` against it with its defaults (and basic auth, as the CI jobs use).
# One script for our own CI (.ci/run), the GitHub smoke job and the GitLab smoke job, so
# what we ship is what we test. It exits with the run's status.
#
#   bash ci/smoke.sh                                  # faas-certifier on PATH
#   FAAS_CERTIFIER=target/debug/faas-certifier bash ci/smoke.sh
#
# SMOKE_REPORT_DIR (default: reports) receives junit.xml, report.json, summary.md and report.html.
set -euo pipefail

bin="${FAAS_CERTIFIER:-faas-certifier}"
reports="${SMOKE_REPORT_DIR:-reports}"
password="smoke-only-password"
log="$(mktemp)"

# Port 0: the mock picks a free port and prints its URL on its first line.
coproc MOCK { exec "$bin" mock --port 0 --basic-auth "admin:$password" 2> "$log"; }
# shellcheck disable=SC2153 # coproc sets MOCK_PID
mock_pid="$MOCK_PID"
trap 'kill "$mock_pid" 2> /dev/null || true' EXIT
if ! read -r -t 10 first <&"${MOCK[0]}"; then
  echo "smoke: the mock did not start:" >&2
  cat "$log" >&2
  exit 1
fi
url="$(grep -o 'http://[^ ]*' <<< "$first" | head -n 1)"
url="${url%/}"
echo "smoke: mock at $url"

start=$SECONDS
status=0
printf '%s' "$password" \
  | "$bin" run --gateway "$url" --username admin --password-stdin --report-dir "$reports" \
  || status=$?
echo "smoke: mock + run with defaults ended with status $status in $((SECONDS - start)) s"
exit "$status"
