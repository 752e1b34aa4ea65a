#!/bin/bash
# ab.sh ROUNDS : A = /work/main (port 17931, data), B = /work/wt/speed (port 17932, dataB)
ROUNDS=${1:-3}
FP=$(cat /tmp/sp/fp)
declare -A REPO=([A]=/work/main [B]=/work/wt/speed) PORT=([A]=17931 [B]=17932) DATA=([A]=/tmp/sp/data [B]=/tmp/sp/dataB) AG=([A]=/tmp/sp/agents [B]=/tmp/sp/agentsB)
for v in A B; do
  (cd /tmp/sp && nohup ${REPO[$v]}/bin/fileserver serve --root ${DATA[$v]} --bind 127.0.0.1 --port ${PORT[$v]} > server$v.log 2>&1 &)
done
sleep 4
fc() { local v=$1; shift; FILECLIENT_PASSWORD=pw FILECLIENT_AGENT_DIR=${AG[$v]} ${REPO[$v]}/bin/fileclient --port ${PORT[$v]} --user bench --fingerprint $FP -q -c "$*" 127.0.0.1; }
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
for v in A B; do fc $v "put /tmp/sp/src.bin a.bin" >/dev/null; fc $v "get a.bin /tmp/sp/back$v.bin" > /dev/null; fc $v "put /tmp/sp/src.bin a.bin" >/dev/null; fc $v "get a.bin /tmp/sp/back$v.bin" >/dev/null; done
for r in $(seq $ROUNDS); do
 for op in get put; do
  for v in A B; do
    S=$(pgrep -f "fileserver.jar serve --root ${DATA[$v]} " | head -1)
    C=$(pgrep -f "fileclient.jar:.* -- --port ${PORT[$v]}" | head -1)
    s0=$(cpu $S); c0=$(cpu $C); t0=$(date +%s.%N)
    if [ $op = get ]; then fc $v "get a.bin /tmp/sp/back$v.bin" >/dev/null; else fc $v "put /tmp/sp/src.bin a.bin" >/dev/null; fi
    t1=$(date +%s.%N); s1=$(cpu $S); c1=$(cpu $C)
    echo "$r $op $v wall=$(printf %.2f $(echo "$t1-$t0"|bc)) MBps=$(printf %.0f $(echo "1073.741824/($t1-$t0)"|bc -l)) server_cpu=$(echo "scale=2;($s1-$s0)/100"|bc) client_cpu=$(echo "scale=2;($c1-$c0)/100"|bc) load=$(cut -d' ' -f1 /proc/loadavg)"
  done
 done
done
cmp /tmp/sp/src.bin /tmp/sp/backA.bin && cmp /tmp/sp/src.bin /tmp/sp/backB.bin && echo intact
