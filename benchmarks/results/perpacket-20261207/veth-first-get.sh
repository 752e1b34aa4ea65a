#!/bin/bash
# getjit.sh R N: first-command gets over the veth; A = as bin/fileclient (directives), B = no directives (FILECLIENT_JIT=c2)
D=/tmp/exp/jB
for r in $(seq $1); do for v in A B; do
J="$(cat /tmp/exp/jvm.txt | sed "s|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=$D/fileclient.jsa|")"
[ $v = B ] && J="$(echo "$J" | sed 's|-XX:CompilerDirectivesFile=[^ ]*||; s|-XX:CompileCommandFile=[^ ]*||')"
C=""; for i in $(seq $2); do C="$C get m.bin /tmp/e2/o/o$i.bin;"; done
rm -f /tmp/e2/o/*
ip netns exec fa /usr/bin/time -f "$v %e %U %S" java $J -jar $D/fileclient.jar --port 7801 --user bob -q -c "$C" 10.77.0.2 2>&1 >/dev/null | tail -1
done; done
