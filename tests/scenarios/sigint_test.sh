#!/bin/sh
# Starts a scenario, sends SIGINT once traffic flows, and checks: exit 3, verdict "interrupted"
# in --json and --junit, and every process the run started is gone.
. "$(dirname "$0")/wait_for_traffic.sh"
sw=$1 file=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir"
"$sw" run "$file" --quiet --runs-dir "$dir" --json "$dir/r.json" --junit "$dir/r.xml" \
    --events "$dir/e.ndjson" --duration 60s &
pid=$!
wait_for_traffic "$dir/e.ndjson" $pid
kill -INT $pid
wait $pid; rc=$?
echo "exit $rc"
[ $rc -eq 3 ] || { echo "want exit 3"; exit 1; }
grep -q '"verdict":"interrupted"' "$dir/r.json" || { echo "no interrupted verdict in JSON"; exit 1; }
grep -q 'name="run"><error' "$dir/r.xml" || { echo "no errored testcase in JUnit"; exit 1; }
for p in $(grep -o '"pid":[1-9][0-9]*' "$dir/e.ndjson" | cut -d: -f2 | sort -u); do
    if kill -0 "$p" 2>/dev/null; then echo "pid $p survived"; exit 1; fi
done
echo ok
