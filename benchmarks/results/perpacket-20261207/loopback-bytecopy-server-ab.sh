#!/bin/bash
# srvab.sh R: loopback gets of 1 GiB by a warm client JVM (jC); server A = /tmp/exp/srv (before ByteCopy), C = /tmp/exp/srvC (after); each server new per round, warmed by 2 gets; server CPU over 3 gets
D=/tmp/exp/jC
J="$(cat /tmp/exp/jvm.txt | sed "s|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=$D/fileclient.jsa|")"
cpu() { awk '{print ($14+$15)/100}' /proc/$1/stat; }
for r in $(seq $1); do for v in srv srvC; do
  java -Dio.netty.leakDetection.level=disabled -XX:CompileCommandFile=/work/main/rudp-core/src/main/jvm/compile-commands.txt -jar /tmp/exp/$v/fileserver.jar serve --root /tmp/exp/data --port 7801 > /tmp/e2/srvab.log 2>&1 &
  SP=$!; sleep 2.5
  java $J -jar $D/fileclient.jar --port 7801 --user bob -q -c "get big.bin /tmp/e2/o/w.bin; get big.bin /tmp/e2/o/w.bin" localhost >/dev/null 2>&1
  c0=$(cpu $SP); t0=$(date +%s.%N)
  java $J -jar $D/fileclient.jar --port 7801 --user bob -q -c "get big.bin /tmp/e2/o/a.bin; get big.bin /tmp/e2/o/b.bin; get big.bin /tmp/e2/o/c.bin" localhost >/dev/null 2>&1
  c1=$(cpu $SP); t1=$(date +%s.%N)
  echo "$v $(echo "$t1 - $t0" | bc) $(echo "$c1 - $c0" | bc) 0"
  kill $SP; wait $SP 2>/dev/null; rm -f /tmp/e2/o/*
done; done
