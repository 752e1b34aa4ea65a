#!/bin/bash
# ab.sh R N OP: interleaved B (/tmp/exp/jB) and C (/tmp/exp/jC), N ops of 256 MiB in one client JVM over the veth; OP get|put
for r in $(seq $1); do for v in B C; do
D=/tmp/exp/j$v
J="$(cat /tmp/exp/jvm.txt | sed "s|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=$D/fileclient.jsa|")"
C=""; for i in $(seq $2); do if [ $3 = get ]; then C="$C get m.bin /tmp/e2/o/o$i.bin;"; else C="$C put /tmp/exp/data/home/bob/m.bin up$i.bin;"; fi; done
rm -f /tmp/e2/o/*
ip netns exec fa /usr/bin/time -f "$v %e %U %S" java $J -jar $D/fileclient.jar --port 7801 --user bob -q -c "$C" 10.77.0.2 2>&1 >/dev/null | tail -1
done; done
