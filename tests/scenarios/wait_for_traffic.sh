# Sourced by the signal tests: wait_for_traffic EVENTS PID polls the run's NDJSON event log until a
# metrics line counts a delivery (the cluster is up and clients receive), for at most 30 s; on
# timeout it kills the run and fails the test.
wait_for_traffic() {
    i=0
    until grep -q '"deliveries_total":[1-9]' "$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 300 ] && { echo "no traffic within 30 s"; kill -9 "$2"; exit 1; }
        sleep 0.1
    done
}
