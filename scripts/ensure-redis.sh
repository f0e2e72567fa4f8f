#!/usr/bin/env bash
# Installs the oracle (redis-server and redis-benchmark, Debian's Redis 7.0)
# when it is missing. Differential tests need it; under CI=true a missing
# oracle fails the run instead of skipping.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing redis-server (oracle for differential tests)..."
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
	# Debian starts the packaged service; our tests start their own.
	(service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
fi
if ! command -v redis-server >/dev/null 2>&1; then
	echo "redis-server is not installed and could not be installed" >&2
	[ "${CI:-}" = "true" ] && exit 1
fi
exit 0
