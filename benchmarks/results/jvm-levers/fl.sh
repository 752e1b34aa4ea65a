#!/bin/bash
# fl.sh NAME "AGENT JVM OPTS": first command (new agent) doing ls; wall ms and agent CPU
export FILECLIENT_AGENT_DIR=/tmp/exp/agentdir-fl FILECLIENT_LAUNCHER_OPTS=-Duser.home=/tmp/exp/home FILECLIENT_JAVA_OPTS="-Duser.home=/tmp/exp/home $2"
s=$(date +%s%N); /work/main/bin/fileclient --port 7801 --user bob -c "ls" 127.0.0.1 >/dev/null 2>&1; e=$(date +%s%N)
p=$(pgrep -f fileclient.agent.Agent | head -1)
cpu=$(awk '{printf "%.2f", ($14+$15)/100}' /proc/$p/stat)
/work/main/bin/fileclient --agent-stop --port 7801 --user bob 127.0.0.1 >/dev/null 2>&1
echo "$1 $(( (e-s)/1000000 )) ms agent $cpu CPU-s"
