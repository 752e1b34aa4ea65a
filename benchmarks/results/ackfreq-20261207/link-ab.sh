#!/bin/bash
# alternate old (/tmp/abold) and new (/work/main) builds on link (a), warm agent get and put
for i in ${ROUNDS:-1 2 3}; do
  for v in old new; do
    d=/work/main; [ $v = old ] && d=/tmp/abold
    cd $d && java -jar benchmarks/target/benchmarks.jar peers link --profiles ${PROFILE:-loss1-rtt20-rate200m} ${EXTRA} --bytes 256m --repeat 1 --timeout 90 --tools fileclient-get-warm,fileclient-put-warm --out /tmp/abw/$v$i 2>&1 | grep "MB/s" | sed "s/^/$v $i /"
  done
done
