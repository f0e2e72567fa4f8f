#!/usr/bin/env bash
# CPU time a server spends per request, read from /proc/<pid>/stat around
# one redis-benchmark run: on a shared VM it moves less than throughput.
#
#   scripts/cpu-per-request.sh "<server command>" <appendfsync> "<tests>" <pipeline> [requests]
#
#   scripts/cpu-per-request.sh bin/keel everysec "set get" 16
#   scripts/cpu-per-request.sh "redis-server --appendonly yes --save ''" everysec "set get" 16
#   scripts/cpu-per-request.sh bin/keel everysec cmd 16 1000000 EVAL "return redis.call('incr', KEYS[1])" 1 'k:__rand_int__'
#
# tests "cmd" runs the command given after the request count instead
# (redis-benchmark's __rand_int__ is replaced from a 1,000,000 range).
#
# The server is started fresh on port ${CPU_PORT:-24005} with an empty
# data directory and gets "--port P --dir D --appendfsync MODE" appended;
# tests run in order on the same server (GET after SET reads what SET wrote).
# CPU_FILL=N first runs N SETs at pipeline 16 (-r 1000000 -d 100, not
# measured) and waits until the server has been idle for a second (its
# flushes and compactions done): GET after CPU_FILL=1200000 reads 70% hits,
# as the GET rows of make bench do after their SET rows.
set -euo pipefail
server=$1 mode=$2 tests=$3 pipe=$4 n=${5:-200000}
port=${CPU_PORT:-24005}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
eval "exec $server --port $port --dir $dir --appendfsync $mode" >"$dir.log" 2>&1 &
pid=$!
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
ticks() { awk "{print \$14 + \$15}" "/proc/$pid/stat"; }
uticks() { awk "{print \$14}" "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
if [[ -n ${CPU_FILL:-} ]]; then
	redis-benchmark -p "$port" -t set -n "$CPU_FILL" -c 50 -P 16 -r 1000000 -d 100 -q >/dev/null
	last=$(ticks)
	while sleep 1; do
		now=$(ticks)
		((now - last <= 1)) && break
		last=$now
	done
fi
if [[ $tests == cmd ]]; then
	shift $(($# < 5 ? $# : 5))
	a=$(ticks) ua=$(uticks)
	redis-benchmark -p "$port" -n "$n" -c 50 -P "$pipe" -r 1000000 -q "$@" >/dev/null
	b=$(ticks) ub=$(uticks)
	echo "$1 P$pipe cpu_us/request=$(echo "scale=2; ($b - $a) * 1000000 / $hz / $n" | bc) user=$(echo "scale=2; ($ub - $ua) * 1000000 / $hz / $n" | bc)"
	tests=
fi
for t in $tests; do
	a=$(ticks) ua=$(uticks)
	rps=$(redis-benchmark -p "$port" -t "$t" -n "$n" -c 50 -P "$pipe" -r 1000000 -d 100 --csv | grep -v '"test"' | cut -d, -f2 | tr -d '"')
	b=$(ticks) ub=$(uticks)
	echo "$t P$pipe rps=$rps cpu_us/request=$(echo "scale=2; ($b - $a) * 1000000 / $hz / $n" | bc) user=$(echo "scale=2; ($ub - $ua) * 1000000 / $hz / $n" | bc)"
done
rm -f "$dir.log"
