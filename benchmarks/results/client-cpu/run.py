#!/usr/bin/env python3
"""run.py VARIANT OP [extra jvm opts...]: runs one fileclient put/get of /tmp/cc/src.bin against the
variant's server, prints wall, MB/s, client CPU total (rusage), per-thread-group CPU, server CPU delta.
The working folder is $CC_DIR (default /tmp/cc): src.bin, fp, pw, results.jsonl and one folder per
variant holding port, server.pid and fileclient/fileclient.jar. $FILECLIENT_ARGS (split on spaces) goes
to the client before its command, e.g. "--connect-timeout 60000" on a machine so loaded that a new
client's handshake takes over the default 10 s."""
import os, sys, time, subprocess, re, json, collections
HZ = os.sysconf('SC_CLK_TCK')
var, op = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
cc = os.environ.get('CC_DIR', '/tmp/cc')
base = f'{cc}/{var}'
port = open(f'{base}/port').read().strip()
spid = int(open(f'{base}/server.pid').read().strip())
fp = open(f'{cc}/fp').read().strip()
java = os.environ.get('JAVA', 'java')
size = os.path.getsize(f'{cc}/src.bin')
if op == 'put':
    cmd = f'put {cc}/src.bin bench.bin'
else:
    cmd = f'get bench.bin {cc}/{var}/got.bin'
argv = [java] + extra + ['-jar', f'{base}/fileclient/fileclient.jar', '--port', port, '--user', 'bench',
        '--password-file', f'{cc}/pw', '--fingerprint', fp] + os.environ.get('FILECLIENT_ARGS', '').split() + [
        '-q', '-c', cmd, '127.0.0.1']
def proc_cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ
def group(name):
    n = name
    if n.startswith('C2 Compiler'): return 'C2'
    if n.startswith('C1 Compiler'): return 'C1'
    if 'GC' in n or n.startswith('G1') or n.startswith('VM Thread'): return 'GC/VM'
    if 'disk' in n: return 'disk'
    if n == 'java' or n == 'main': return 'main'
    if 'multiThreadIo' in n or 'epoll' in n or 'nio' in n or 'EventLoop' in n or 'rudp' in n: return 'eventloop'
    return 'other'
s0 = proc_cpu(spid)
t0 = time.time()
p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
last = {}
minflt = 0
while p.poll() is None:
    try:
        for tid in os.listdir(f'/proc/{p.pid}/task'):
            try:
                st = open(f'/proc/{p.pid}/task/{tid}/stat').read()
                name = st[st.index('(')+1:st.rindex(')')]
                f = st.rsplit(')', 1)[1].split()
                last[tid] = (name, (int(f[11]) + int(f[12])) / HZ)
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
        pf = open(f'/proc/{p.pid}/stat').read().rsplit(')', 1)[1].split()
        minflt = int(pf[7])
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        pass
    time.sleep(0.05)
_, status, ru = os.wait4(p.pid, 0) if False else (None, p.returncode, None)
wall = time.time() - t0
out = p.stdout.read().decode(errors='replace')
s1 = proc_cpu(spid)
g = collections.Counter()
for name, c in last.values():
    g[group(name)] += c
import resource
total = sum(c for _, c in last.values())
res = dict(var=var, op=op, opts=' '.join(extra), rc=status, wall=round(wall, 2), mbps=round(size / wall / 1e6, 1),
           cpu=round(total, 2), minflt=minflt, server=round(s1 - s0, 2), groups={k: round(v, 2) for k, v in sorted(g.items())})
print(json.dumps(res))
if status != 0:
    print(out[-2000:], file=sys.stderr)
with open(f'{cc}/results.jsonl', 'a') as f:
    f.write(json.dumps(res) + '\n')
