#!/bin/bash
# lo.sh R OP: loopback, in-process, a new client's 1 GiB OP (get|put); B = /tmp/exp/jB (before ByteCopy), C = /tmp/exp/jC (after), alternating
for r in $(seq $1); do for v in B C; do
D=/tmp/exp/j$v
J="$(cat /tmp/exp/jvm.txt | sed "s|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=$D/fileclient.jsa|")"
if [ $2 = get ]; then C="get big.bin /tmp/e2/o/big.bin"; else C="put /tmp/exp/data/home/bob/big.bin upbig.bin"; fi
rm -f /tmp/e2/o/*
/usr/bin/time -f "$v %e %U %S" java $J -jar $D/fileclient.jar --port 7801 --user bob -q -c "$C" localhost 2>&1 >/dev/null | tail -1
done; done
