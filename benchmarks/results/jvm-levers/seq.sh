#!/bin/bash
# seq.sh OPS...: one agent, each op (get|put) a 1 GiB transfer timed as its own command; SEQ_PAUSE=S
# idles S seconds after each; SEQ_JSTAT=1 prints the agent's JIT and GC counters after each
export FILECLIENT_AGENT_DIR=/tmp/exp/agentdir-seq FILECLIENT_LAUNCHER_OPTS=-Duser.home=/tmp/exp/home FILECLIENT_JAVA_OPTS="-Duser.home=/tmp/exp/home ${SEQ_OPTS:-}"
/work/main/bin/fileclient --port 7801 --user bob -c "ls" 127.0.0.1 >/dev/null 2>&1
out=""
for op in "$@"; do
  if [ $op = get ]; then c="get up.bin /tmp/exp/got.bin"; else c="put /tmp/exp/up.bin up.bin"; fi
  s=$(date +%s%N); /work/main/bin/fileclient --port 7801 --user bob -c "$c" 127.0.0.1 >/dev/null 2>&1; e=$(date +%s%N)
  out="$out $op:$(( 1024000000000/((e-s)/1000) ))"
  [ -n "${SEQ_PAUSE:-}" ] && sleep "$SEQ_PAUSE"
  if [ -n "${SEQ_JSTAT:-}" ]; then
    p=$(pgrep -f fileclient.agent.Agent | head -1); echo "$op $(jstat -compiler $p | tail -1) gc: $(jstat -gcutil $p | tail -1)"
  fi
done
/work/main/bin/fileclient --agent-stop --port 7801 --user bob 127.0.0.1 >/dev/null 2>&1
echo "MiB/s:$out"
