#!/usr/bin/env bash
# A quick survey of workloads beyond `make bench`: one keel and one
# redis-server (appendonly yes, everysec), started once, and each line of
# redis-benchmark arguments read from stdin run once against each, Redis
# first, in the order given (lines build on each other's data). Prints,
# per line, both rates, the ticks of CPU (utime+stime) each server used
# during its run, and the ratios keel/redis. One run per server: a
# screen for workloads far from Redis, not a measurement to two digits
# (make bench alternates rounds for that). A line "! CMD ARGS..." is run
# by redis-cli against both servers, unmeasured: setup for the lines after
# it.
#
#   scripts/survey.sh [keel binary] < scripts/survey.txt
#
# Ports: SURVEY_PORT (default 24120) and the next.
set -euo pipefail
set -f # lines hold '*' (XADD q * f v)
kb=${1:-bin/keel}
kp=${SURVEY_PORT:-24120}
rp=$((kp + 1))
dk=$(mktemp -d)
dr=$(mktemp -d)
"$kb" --port "$kp" --dir "$dk" --appendfsync everysec >/dev/null 2>&1 &
kpid=$!
redis-server --port "$rp" --dir "$dr" --appendonly yes --appendfsync everysec --save '' >/dev/null 2>&1 &
rpid=$!
cleanup() {
	kill "$kpid" "$rpid" 2>/dev/null || true
	wait "$kpid" "$rpid" 2>/dev/null || true
	rm -rf "$dk" "$dr"
}
trap cleanup EXIT
for p in "$kp" "$rp"; do
	for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
run() { # port pid args... -> "rate ticks"
	local port=$1 pid=$2 t0 t1 r
	shift 2
	t0=$(ticks "$pid")
	r=$(redis-benchmark -p "$port" -c 50 --csv "$@" 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
	t1=$(ticks "$pid")
	echo "$r $((t1 - t0))"
}
echo "| redis-benchmark -c 50 ... | redis ops/s | keel ops/s | ratio | CPU keel/redis |"
echo "|---|---|---|---|---|"
while IFS= read -r line; do
	[ -z "$line" ] || [ "${line:0:1}" = "#" ] && continue
	if [ "${line:0:2}" = "! " ]; then
		for p in "$rp" "$kp"; do
			# shellcheck disable=SC2086 # the line is the command
			redis-cli -p "$p" ${line:2} >/dev/null
		done
		continue
	fi
	# shellcheck disable=SC2086 # the line is the arguments
	read -r rr rt <<<"$(run "$rp" "$rpid" $line)"
	# shellcheck disable=SC2086
	read -r kr kt <<<"$(run "$kp" "$kpid" $line)"
	awk -v l="$line" -v rr="$rr" -v kr="$kr" -v rt="$rt" -v kt="$kt" \
		'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %.2f |\n", l, rr, kr, kr / rr, kt / (rt > 0 ? rt : 1) }'
done
