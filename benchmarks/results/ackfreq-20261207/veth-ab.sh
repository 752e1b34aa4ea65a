#!/bin/bash
# abv.sh ROUNDS N OP: alternate old (/tmp/abold) and new (/work/main) builds over the veth, N ops (get|put) of m.bin in one client JVM
ROUNDS=$1; N=$2; OP=${3:-get}
for r in $(seq $ROUNDS); do
 for v in old new; do
  R=/work/main; [ $v = old ] && R=/tmp/abold
  ip netns exec fb java -Dio.netty.leakDetection.level=disabled -XX:CompileCommandFile=$R/rudp-core/src/main/jvm/compile-commands.txt -jar $R/fileserver/target/fileserver.jar serve --root /tmp/exp/data --port 7801 --bind 10.77.0.2 > /tmp/e2/srv-ab.log 2>&1 &
  sleep 2.5
  SP=$(pgrep -f "fileserver.jar serve --root /tmp/exp/data")
  C=""; for i in $(seq $N); do if [ $OP = get ]; then C="$C get m.bin /tmp/e2/o/o$i.bin;"; else C="$C put /tmp/exp/data/home/bob/m.bin up$i.bin;"; fi; done
  rm -f /tmp/e2/o/*
  J="$(cat /tmp/exp/jvm.txt | sed "s|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=$R/fileclient/target/fileclient.jsa|;s|/work/main/|$R/|g")"
  S0=$(awk '{print $14+$15}' /proc/$SP/stat)
  ip netns exec fa /usr/bin/time -o /tmp/e2/t.txt -f "%e %U %S" java $J -jar $R/fileclient/target/fileclient.jar --port 7801 --user bob --trust-new -q -c "$C stats" 10.77.0.2 > /tmp/e2/c.txt 2>&1
  T="$(tail -1 /tmp/e2/t.txt) | $(grep -o 'sent [0-9]* packets' /tmp/e2/c.txt) $(grep -o 'received [0-9]* packets' /tmp/e2/c.txt)"
  S1=$(awk '{print $14+$15}' /proc/$SP/stat)
  ACKS=$(grep -o "sent [0-9]* packets" /tmp/e2/srv-ab.log | tail -1)
  kill $SP; wait 2>/dev/null
  echo "$v $OP wall/user/sys $T server_cpu $(echo "($S1-$S0)/100" | bc -l | cut -c1-5)"
 done
done
