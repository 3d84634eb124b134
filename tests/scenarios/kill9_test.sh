#!/bin/sh
# SIGKILL the engine mid-run (no clean-up code runs) and check that every component process it
# started dies anyway, through the parent-death signal: no orphans on any exit path.
. "$(dirname "$0")/wait_for_traffic.sh"
sw=$1 file=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir"
"$sw" run "$file" --quiet --runs-dir "$dir" --events "$dir/e.ndjson" --duration 60s &
pid=$!
wait_for_traffic "$dir/e.ndjson" $pid
pids=$(grep -o '"pid":[1-9][0-9]*' "$dir/e.ndjson" | cut -d: -f2 | sort -u)
[ -n "$pids" ] || { echo "no component pids in the event log"; exit 1; }
kill -9 $pid
wait $pid
for p in $pids; do
    i=0
    while kill -0 "$p" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "pid $p survived the engine's SIGKILL"; exit 1; }
        sleep 0.1
    done
done
echo "ok: $(echo $pids | wc -w) component processes gone"
