#!/bin/bash
# cw.sh FLOOR_NANOS...: for each, a server with that cwnd floor, warmed, then 3 gets in one client JVM; per-get times
D=/tmp/exp/jC
J="$(cat /tmp/exp/jvm.txt | sed "s|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=$D/fileclient.jsa|")"
for f in "$@"; do
  ip netns exec fb java -Drudp.cwndFloorNanos=$f -Dio.netty.leakDetection.level=disabled -XX:CompileCommandFile=/work/main/rudp-core/src/main/jvm/compile-commands.txt -jar /tmp/exp/srvX/fileserver.jar serve --root /tmp/exp/data --port 7801 --bind 10.77.0.2 > /tmp/e2/srvX.log 2>&1 &
  SP=$!; sleep 2.5
  ip netns exec fa java $J -jar $D/fileclient.jar --port 7801 --user bob -q -c "get m.bin /tmp/e2/o/w1.bin; get m.bin /tmp/e2/o/w2.bin" 10.77.0.2 >/dev/null 2>&1
  out=$(ip netns exec fa /usr/bin/time -f "cpu %U %S" java $J -jar $D/fileclient.jar --port 7801 --user bob -c "get m.bin /tmp/e2/o/x1.bin; get m.bin /tmp/e2/o/x2.bin; get m.bin /tmp/e2/o/x3.bin" 10.77.0.2 2>&1 | grep -E "^downloaded|^cpu" | sed 's/.*256.0MiB in \([0-9.]*\) s.*/\1/' | tr '\n' ' ')
  echo "floor $f: $out | $(grep -o 'limited by.*' /tmp/e2/srvX.log | tail -1)"
  kill $SP; wait $SP 2>/dev/null
done
