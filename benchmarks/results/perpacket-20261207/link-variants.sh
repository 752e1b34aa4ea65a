#!/bin/bash
# E1: warm agent on link (a), three JIT variants, sequential
cd /work/main
T4="-XX:Tier4InvocationThreshold=100000 -XX:Tier4MinInvocationThreshold=12000 -XX:Tier4CompileThreshold=300000 -XX:Tier4BackEdgeThreshold=800000 -XX:CompileCommandFile=/work/main/rudp-core/src/main/jvm/compile-commands.txt"
for v in V0 V1 V2; do
  echo "=== $v $(date +%T)"
  case $v in
    V0) env -u FILECLIENT_JIT java -jar benchmarks/target/benchmarks.jar peers link --profiles loss1-rtt20-rate200m --bytes 256m --repeat 1 --timeout 90 --tools fileclient-get-warm,fileclient-put-warm --out /tmp/e1/$v ;;
    V1) FILECLIENT_JIT=c2 java -jar benchmarks/target/benchmarks.jar peers link --profiles loss1-rtt20-rate200m --bytes 256m --repeat 1 --timeout 90 --tools fileclient-get-warm,fileclient-put-warm --out /tmp/e1/$v ;;
    V2) FILECLIENT_JIT=c2 FILECLIENT_JAVA_OPTS="$T4" java -jar benchmarks/target/benchmarks.jar peers link --profiles loss1-rtt20-rate200m --bytes 256m --repeat 1 --timeout 90 --tools fileclient-get-warm,fileclient-put-warm --out /tmp/e1/$v ;;
  esac
done
echo "=== done $(date +%T)"
