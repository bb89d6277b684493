#!/usr/bin/env bash
# Starts the built fake GitLab with the conformance seed, runs the python-gitlab
# conformance check against it, stops it. Extra arguments go to the check
# (default: --many 120; the variables and merge-request sections always run). Needs `npm run build` and `apt-get install -y python3-gitlab`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
check="${CONFORMANCE_SCRIPT:-$root/../shared/conformance/pygitlab_conformance.py}"
out="$(mktemp)"
node "$root/dist/test/fake-gitlab/main.js" --seed "$root/test/fixtures/seeds/conformance.json" --port 0 >"$out" &
fake=$!
trap 'kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 50); do
  grep -q 'listening on' "$out" && break
  kill -0 "$fake" 2>/dev/null || { echo "fake GitLab did not start" >&2; exit 1; }
  sleep 0.1
done
url="$(sed -n 's/^fake GitLab listening on //p' "$out")"
[ -n "$url" ] || { echo "fake GitLab did not print its URL" >&2; exit 1; }
[ "$#" -gt 0 ] || set -- --many 120
# REST sections beyond runners (fake-rest): CI/CD variables of the project and the group, notes of !1.
set -- "$@" --variables --group-variables --mr 1
/usr/bin/python3 "$check" --url "$url" --token glpat-conformance-owner-000000000 \
  --group conformance/sub --project conformance/sub/app "$@"
