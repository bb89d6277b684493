#!/usr/bin/env bash
# Starts the built fake GitLab with the conformance seed and runs the shared
# conformance checks against it (../shared/conformance/), then stops it:
#   conformance.sh [all|pygitlab|graphql] [extra arguments for the chosen check]
# - pygitlab: python-gitlab 3.12 over REST, with --many 120, --bad-token,
#   --multi-project-delete --project2 (a runner enabled in two projects), and the
#   sections beyond runners: --variables --group-variables --mr 1;
# - graphql: POST /api/graphql with --subgroup, --maintainer-token, --bad-token and --many.
# Needs `npx tsc -p tsconfig.json` (dist/) and `apt-get install -y python3-gitlab`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${CONFORMANCE_DIR:-$root/../shared/conformance}"
which="${1:-all}"
[ "$#" -gt 0 ] && shift
case "$which" in all|pygitlab|graphql) ;; *) echo "usage: $0 [all|pygitlab|graphql] [check arguments]" >&2; exit 2 ;; esac
# The two scripts take different flags: extra arguments need a chosen check.
if [ "$which" = all ] && [ "$#" -gt 0 ]; then echo "$0: extra arguments need pygitlab or graphql" >&2; exit 2; fi
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

# Tokens of the conformance seed (test fixtures, not secrets).
owner=glpat-conformance-owner-000000000
maintainer=glpat-conformance-maintainer-00000
bad=glpat-conformance-not-a-valid-token
status=0
if [ "$which" = all ] || [ "$which" = pygitlab ]; then
  echo "== python-gitlab conformance (REST)"
  /usr/bin/python3 "$shared/pygitlab_conformance.py" --url "$url" --token "$owner" \
    --group conformance/sub --project conformance/sub/app --many 120 --bad-token "$bad" \
    --multi-project-delete --project2 conformance/sub/tools --variables --group-variables --mr 1 "$@" || status=1
fi
if [ "$which" = all ] || [ "$which" = graphql ]; then
  echo "== GraphQL conformance"
  node "$shared/graphql_conformance.mjs" --url "$url" --token "$owner" \
    --group conformance/sub --subgroup conformance/sub/team --project conformance/sub/app \
    --maintainer-token "$maintainer" --bad-token "$bad" --many "$@" || status=1
fi
exit "$status"
