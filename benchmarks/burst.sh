#!/usr/bin/env bash
# A burst of users: N bin/fileclient processes started at once against one bin/fileserver, each
# logging in with a password (the server's real scrypt cost), putting a 1-4 MiB file and getting it
# back. Prints one line per client (exit status, seconds, the error line if any) and a summary.
#
#   benchmarks/burst.sh [N=20] [WORKDIR=/tmp/rudp-burst]
#
# Each client is its own process without the agent (--no-agent). Extra client options can be given
# in BURST_CLIENT_OPTS (e.g. "--connect-timeout 10"), server options in BURST_SERVER_OPTS.
set -euo pipefail
N=${1:-20}
WORK=${2:-/tmp/rudp-burst}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rm -rf "$WORK"
mkdir -p "$WORK/data" "$WORK/files" "$WORK/out" "$WORK/log"
echo burst-password | "$ROOT/bin/fileserver" adduser --root "$WORK/data" burst >/dev/null 2>&1
FP=$("$ROOT/bin/fileserver" fingerprint --root "$WORK/data" 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ROOT/bin/fileserver" serve --root "$WORK/data" --bind 127.0.0.1 --port "$PORT" ${BURST_SERVER_OPTS:-} \
    >"$WORK/log/server.out" 2>"$WORK/log/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 1200); do
  grep -q listening "$WORK/log/server.log" 2>/dev/null && break
  sleep 0.1
done
for i in $(seq 1 "$N"); do
  head -c $(( (1 + i % 4) * 1048576 - i * 977 )) /dev/urandom > "$WORK/files/f$i"
done
start=$(date +%s.%N)
pids=()
for i in $(seq 1 "$N"); do
  (
    t0=$(date +%s.%N)
    rc=0
    FILECLIENT_PASSWORD=burst-password FILECLIENT_AGENT_DIR="$WORK/agent$i" HOME="$WORK/home$i" \
      "$ROOT/bin/fileclient" --no-agent --port "$PORT" --user burst --fingerprint "$FP" ${BURST_CLIENT_OPTS:-} \
      -q -c "put $WORK/files/f$i f$i; get f$i $WORK/out/f$i" 127.0.0.1 >"$WORK/log/c$i.out" 2>"$WORK/log/c$i.err" || rc=$?
    t1=$(date +%s.%N)
    ok=$rc
    if [ "$rc" = 0 ] && ! cmp -s "$WORK/files/f$i" "$WORK/out/f$i"; then ok=mismatch; fi
    printf 'client %2d exit %s %6.1f s %s\n' "$i" "$ok" "$(echo "$t1 - $t0" | bc)" "$(tail -n 1 "$WORK/log/c$i.err")"
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
end=$(date +%s.%N)
printf 'all %d clients done in %.1f s; server: %s connects, %s logins\n' "$N" "$(echo "$end - $start" | bc)" \
  "$(grep -c ' connect ' "$WORK/log/server.log" || true)" "$(grep -c ' login ' "$WORK/log/server.log" || true)"
