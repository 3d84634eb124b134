#!/bin/sh
# Builds and runs the simulator scale benchmark. Defaults: the issue's target (1,000,000 clients,
# 1,000 relays, 10,000 channels at 1 message/s, 60 s, 100 relays killed at 30 s). Extra flags go
# to sim_scale (e.g. --clients 100000 --relays 100 --channels 1000 --kill 10).
set -e
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD_DIR:-$root/build/sim}
cmake --build "$build" --target sim_scale -j2 >/dev/null
exec "$build/bench/macro/sim-scale/sim_scale" "$@"
