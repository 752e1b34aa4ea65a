#!/bin/bash
# j25.sh MODE CMD: one in-process fileclient run; MODE j17 | j25 | j17nocds | j25noaot; prints "MODE wall user sys"
D=/tmp/exp/j25
J17=java; J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
COMMON="-XX:+UseSerialGC -Xmn64m -Dio.netty.leakDetection.level=disabled -Duser.home=/tmp/exp/home"
case $1 in
  j17) J=$J17; O="-XX:SharedArchiveFile=$D/fc17.jsa -Xlog:cds=off -Xlog:cds+dynamic=off";;
  j17nocds) J=$J17; O="";;
  j25) J=$J25; O="-XX:AOTCache=$D/fc25.aot --enable-native-access=ALL-UNNAMED";;
  j25noaot) J=$J25; O="--enable-native-access=ALL-UNNAMED";;
  train17) J=$J17; O="-XX:ArchiveClassesAtExit=$D/fc17.jsa";;
  train25) J=$J25; O="-XX:AOTCacheOutput=$D/fc25.aot --enable-native-access=ALL-UNNAMED";;
esac
/usr/bin/time -f "$1 %e %U %S" $J $O $COMMON -jar $D/fileclient.jar --no-agent --port 7801 --user bob -c "$2" 127.0.0.1 > /tmp/exp/j25.out 2>/tmp/exp/j25.err
tail -1 /tmp/exp/j25.err
