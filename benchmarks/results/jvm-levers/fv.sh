#!/bin/bash
# fv.sh NAME "JVM OPTS" OP: first command (new agent) doing OP (get|put) of 1 GiB; prints wall ms and the agent's CPU-s
export FILECLIENT_AGENT_DIR=/tmp/exp/agentdir-fv FILECLIENT_LAUNCHER_OPTS=-Duser.home=/tmp/exp/home FILECLIENT_JAVA_OPTS="-Duser.home=/tmp/exp/home $2"
if [ $3 = get ]; then c="get up.bin /tmp/exp/got.bin"; else c="put /tmp/exp/up.bin up.bin"; fi
s=$(date +%s%N); /work/main/bin/fileclient --port 7801 --user bob -c "$c" 127.0.0.1 >/dev/null 2>&1; e=$(date +%s%N)
p=$(pgrep -f fileclient.agent.Agent | head -1)
cpu=$(awk '{printf "%.2f", ($14+$15)/100}' /proc/$p/stat)
/work/main/bin/fileclient --agent-stop --port 7801 --user bob 127.0.0.1 >/dev/null 2>&1
echo "$1 $3 $(( (e-s)/1000000 )) ms agent $cpu CPU-s"
