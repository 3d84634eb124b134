#!/bin/sh
# calibrate_test.sh SWITCHYARD SCENARIO OUT: a short calibration writes a profile in which every
# measured figure is > 0 and below a sane bound, with its method note, that `sim --profile`
# runs a scenario with; no component process is left behind.
set -u
sy=$1 scenario=$2 out=$3
rm -f "$out"
"$sy" calibrate --duration 1s --out "$out"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: calibrate exited $rc"; exit 1; }
cat "$out"
fail=0
# Bounds: a per-unit CPU cost above these means the arithmetic or the counting is wrong (the
# built-in figures are 1-50 us; a loaded 2-core machine measures a few times more).
for pair in balancer_accept_us:20000 relay_accept_us:20000 relay_publish_us:5000 \
            relay_delivery_us:500 bus_publish_us:5000; do
    key=${pair%%:*} max=${pair#*:}
    v=$(sed -n "s/^$key: \([0-9.eE+-]*\)$/\1/p" "$out")
    if [ -z "$v" ]; then echo "FAIL: $key missing"; fail=1; continue; fi
    if ! awk -v v="$v" -v m="$max" 'BEGIN { exit !(v > 0 && v < m) }'; then
        echo "FAIL: $key = $v, want 0 < it < $max"; fail=1
    fi
done
for note in "method: |-" "host: \"nproc" "measured_at: \"" "switchyard calibrate --duration 1s"; do
    grep -qF -- "$note" "$out" || { echo "FAIL: no '$note' in the profile"; fail=1; }
done
"$sy" sim "$scenario" --profile "$out" --quiet
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: sim --profile exited $rc"; fail=1; }
# Every process calibrate started was killed by it (they run from this build tree).
bin=$(dirname "$(dirname "$(dirname "$sy")")")
if pgrep -f "^$bin/backends/(relay/switchyard-relay|balancer/switchyard-lb) " >/dev/null; then
    echo "FAIL: a relay or balancer from $bin is still running"; fail=1
fi
[ $fail -eq 0 ] && echo "ok: calibrated profile accepted"
exit $fail
