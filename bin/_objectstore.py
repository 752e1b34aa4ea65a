"""A single-node OpenStack Swift with its S3 API, laid out and run from one data folder.

Run by bin/objectstore with Debian's /usr/bin/python3 (where python3-swift lives):
    _objectstore.py start --data DIR [--port P] [--bind ADDR] [--wait SECONDS] [--no-fsync]
    _objectstore.py stop --data DIR
    _objectstore.py run DAEMON DIR        (internal: the launcher of one Swift daemon)

Everything lives under DIR; nothing is read from /etc:
    DIR/credentials           access_key=... / secret_key=... (mode 600, made on the first start)
    DIR/etc/                  swift.conf (hash salts, made once), the daemons' configs, the rings,
                              ports.json (the ports last used), options.json (this start's options)
    DIR/devices/d1/           the one storage device (needs user extended attributes)
    DIR/run/NAME.pid          "PID START_TICKS" of each daemon this script started
    DIR/log/NAME.log          each daemon's log
Daemons: memcached, the account, container and object servers, and the proxy (s3api + tempauth),
each one process (workers = 0), bound to 127.0.0.1; the proxy (the S3 endpoint) on --bind ADDR
instead when given (a network namespace's address in a multi-host test; the rest stays private).
With --no-fsync (a throwaway engine for tests) the launcher makes os.fsync/os.fdatasync no-ops and
SQLite run with synchronous = OFF.
"""

import argparse
import datetime
import fcntl
import hashlib
import hmac
import http.client
import json
import os
import pwd
import secrets
import signal
import socket
import subprocess
import sys
import time

DAEMONS = ("account-server", "container-server", "object-server", "proxy-server")
MEMCACHED = "/usr/bin/memcached"
ACCOUNT = "rudp"
PROBE_BUCKET = "objectstore-probe"
# Where the proxy (the S3 endpoint) listens: 127.0.0.1 unless start --bind says otherwise.
PROXY_HOST = "127.0.0.1"


class Failure(Exception):
    """A one-line reason to stop, optionally with a log to show the tail of."""

    def __init__(self, message, log=None, offset=0):
        super().__init__(message)
        self.log = log
        self.offset = offset


# ---------------------------------------------------------------------------------------------
# Layout


class Layout:
    def __init__(self, data):
        self.data = os.path.abspath(data)
        self.etc = os.path.join(self.data, "etc")
        self.devices = os.path.join(self.data, "devices")
        self.run = os.path.join(self.data, "run")
        self.log = os.path.join(self.data, "log")
        self.cache = os.path.join(self.data, "cache")
        self.credentials = os.path.join(self.data, "credentials")
        self.ports = os.path.join(self.etc, "ports.json")
        self.swift_conf = os.path.join(self.etc, "swift.conf")
        self.options = os.path.join(self.etc, "options.json")

    def conf(self, daemon):
        return os.path.join(self.etc, daemon + ".conf")

    def pid_file(self, name):
        return os.path.join(self.run, name + ".pid")

    def log_file(self, name):
        return os.path.join(self.log, name + ".log")

    def make_dirs(self):
        os.makedirs(self.data, mode=0o700, exist_ok=True)
        os.chmod(self.data, 0o700)
        for d in (self.etc, self.devices, os.path.join(self.devices, "d1"), self.run, self.log,
                  self.cache):
            os.makedirs(d, mode=0o700, exist_ok=True)


def write_private(path, text):
    """Writes a file readable by its owner only, replacing it atomically."""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_or_make_credentials(layout):
    """access key "rudp:<user>" (tempauth's account:user form), secret 40 hex digits."""
    if not os.path.exists(layout.credentials):
        user = "u" + secrets.token_hex(6)
        write_private(layout.credentials, "access_key=%s:%s\nsecret_key=%s\n"
                      % (ACCOUNT, user, secrets.token_hex(20)))
    os.chmod(layout.credentials, 0o600)
    values = {}
    with open(layout.credentials) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            values[key] = value
    access, secret = values.get("access_key", ""), values.get("secret_key", "")
    account, _, user = access.partition(":")
    if account != ACCOUNT or not user.isalnum() or not secret.isalnum():
        raise Failure("unreadable credentials file %s (delete it to make new keys)" % layout.credentials)
    return access, secret


def check_xattrs(layout):
    probe = os.path.join(layout.devices, ".xattr-probe")
    with open(probe, "w"):
        pass
    try:
        os.setxattr(probe, "user.objectstore", b"1")
    except OSError as e:
        raise Failure("the data folder's file system has no user extended attributes (%s), which "
                      "Swift needs: choose a folder on ext4 or xfs" % e.strerror)
    finally:
        os.unlink(probe)


# ---------------------------------------------------------------------------------------------
# Ports


def port_is_free(port, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Swift's listeners set SO_REUSEADDR too: a port with only TIME_WAIT left counts as free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port(taken):
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in taken:
            return port


def choose_ports(layout, requested):
    """The proxy on the requested port (0: the last one if free, else any free one); the others
    on the ports they had before if still free, else on new free ones."""
    old = {}
    if os.path.exists(layout.ports):
        with open(layout.ports) as f:
            old = json.load(f)
    ports = {}
    if requested:
        if not port_is_free(requested, PROXY_HOST):
            raise Failure("port %d on %s is in use" % (requested, PROXY_HOST))
        ports["proxy-server"] = requested
    for name in ("proxy-server", "memcached") + DAEMONS[:3]:
        if name in ports:
            continue
        port = old.get(name)
        host = PROXY_HOST if name == "proxy-server" else "127.0.0.1"
        if not port or port in ports.values() or not port_is_free(port, host) or not port_is_free(port):
            port = free_port(set(ports.values()))
        ports[name] = port
    return ports, old


# ---------------------------------------------------------------------------------------------
# Configuration


def write_configs(layout, ports, access, secret):
    if not os.path.exists(layout.swift_conf):
        # The hash salts place every object on disk: made once per data folder, never changed.
        write_private(layout.swift_conf, "[swift-hash]\nswift_hash_path_prefix = %s\n"
                      "swift_hash_path_suffix = %s\n\n[storage-policy:0]\nname = Policy-0\n"
                      "default = yes\n" % (secrets.token_hex(16), secrets.token_hex(16)))
    user_name = pwd.getpwuid(os.getuid()).pw_name
    common = ("[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %%d\nbind_timeout = 5\nworkers = 0\n"
              "user = %s\nswift_dir = %s\ndevices = %s\nmount_check = false\n"
              "recon_cache_path = %s\nlog_level = WARNING\n\n"
              % (user_name, layout.etc, layout.devices, layout.cache))
    for daemon, egg in (("account-server", "account"), ("container-server", "container"),
                        ("object-server", "object")):
        write_private(layout.conf(daemon), (common % ports[daemon])
                      + "[pipeline:main]\npipeline = %s\n\n[app:%s]\nuse = egg:swift#%s\n"
                      % (daemon, daemon, egg))
    account, _, user = access.partition(":")
    proxy = (common % ports["proxy-server"]).replace("bind_ip = 127.0.0.1", "bind_ip = " + PROXY_HOST) + """\
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api \
tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:%(memcached)d

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
max_upload_part_num = 10000
multi_delete_concurrency = 16

[filter:tempauth]
use = egg:swift#tempauth
user_%(account)s_%(user)s = %(secret)s .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo
max_manifest_segments = 10000

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes

[filter:symlink]
use = egg:swift#symlink
""" % {"memcached": ports["memcached"], "account": account, "user": user, "secret": secret}
    write_private(layout.conf("proxy-server"), proxy)


def write_rings(layout, ports):
    """One device, one replica, 2^10 partitions: every partition lands on device d1, so rebuilding
    a ring for new ports keeps every object where it is."""
    from swift.common.ring import RingBuilder
    for kind in ("account", "container", "object"):
        builder = RingBuilder(10, 1, 1)
        builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
                         "port": ports[kind + "-server"], "device": "d1", "weight": 100})
        builder.rebalance()
        builder.get_ring().save(os.path.join(layout.etc, kind + ".ring.gz"))


# ---------------------------------------------------------------------------------------------
# Processes


def start_ticks(pid):
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def read_pid(layout, name):
    """The PID recorded for a daemon if that very process still runs (PID reuse is checked)."""
    try:
        with open(layout.pid_file(name)) as f:
            pid, ticks = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    return pid if start_ticks(pid) == ticks else None


def spawn(layout, name, argv):
    log = open(layout.log_file(name), "ab")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, cwd="/")
    finally:
        log.close()
    ticks = start_ticks(proc.pid)
    with open(layout.pid_file(name), "w") as f:
        f.write("%d %d\n" % (proc.pid, ticks if ticks is not None else -1))
    return proc


def stop_all(layout, grace=10.0):
    names = ("proxy-server",) + DAEMONS[:3] + ("memcached",)
    pids = {}
    for name in names:
        pid = read_pid(layout, name)
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                pids[name] = pid
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for name, pid in pids.items():
        while start_ticks(pid) is not None and time.monotonic() < deadline:
            reap(pid)
            time.sleep(0.05)
        if start_ticks(pid) is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            reap(pid)
    for name in names:
        try:
            os.unlink(layout.pid_file(name))
        except FileNotFoundError:
            pass


def reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


# ---------------------------------------------------------------------------------------------
# Health: an S3 PUT and GET signed with AWS Signature V4 (stdlib only)


def s3_request(port, access, secret, method, path, body=b""):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    host = "%s:%d" % (PROXY_HOST, port)
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, "",
                           "".join("%s:%s\n" % (k, headers[k]) for k in sorted(headers)),
                           signed, payload])
    scope = "%s/us-east-1/s3/aws4_request" % day
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                                % (access, scope, signed, signature))
    conn = http.client.HTTPConnection(PROXY_HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def listening(port, host="127.0.0.1"):
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def probe(port, access, secret):
    """None when an S3 PUT and GET round-trip, else why not."""
    try:
        status, _ = s3_request(port, access, secret, "PUT", "/" + PROBE_BUCKET)
        if status not in (200, 409):
            return "bucket PUT answered HTTP %d" % status
        body = secrets.token_hex(16).encode()
        status, _ = s3_request(port, access, secret, "PUT", "/%s/probe" % PROBE_BUCKET, body)
        if status != 200:
            return "object PUT answered HTTP %d" % status
        status, got = s3_request(port, access, secret, "GET", "/%s/probe" % PROBE_BUCKET)
        if status != 200 or got != body:
            return "object GET answered HTTP %d" % status
        # Tidy up; a leftover probe bucket is harmless and reused by the next start.
        s3_request(port, access, secret, "DELETE", "/%s/probe" % PROBE_BUCKET)
        s3_request(port, access, secret, "DELETE", "/" + PROBE_BUCKET)
        return None
    except (OSError, http.client.HTTPException) as e:
        return str(e) or type(e).__name__


def tail(path, offset, lines=20):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(offset, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# Commands


def cmd_start(args):
    layout = Layout(args.data)
    layout.make_dirs()
    with open(os.path.join(layout.data, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        access, secret = load_or_make_credentials(layout)
        names = ("memcached",) + DAEMONS
        options = {"fsync": not args.no_fsync}
        running = [n for n in names if read_pid(layout, n)]
        if len(running) == len(names) and read_options(layout) == options:
            with open(layout.ports) as f:
                port = json.load(f)["proxy-server"]
            if args.port and args.port != port:
                raise Failure("already running on port %d" % port)
            why = probe(port, access, secret)
            if why is None:
                return endpoint_line(port, access, secret)
        stop_all(layout)
        check_xattrs(layout)
        ports, old = choose_ports(layout, args.port)
        write_configs(layout, ports, access, secret)
        rings = [os.path.join(layout.etc, k + ".ring.gz") for k in ("account", "container", "object")]
        if any(old.get(d) != ports[d] for d in DAEMONS[:3]) or not all(map(os.path.exists, rings)):
            write_rings(layout, ports)
        with open(layout.ports, "w") as f:
            json.dump(ports, f)
        with open(layout.options, "w") as f:
            json.dump(options, f)
        try:
            launch(layout, ports, access, secret, args.wait)
        except BaseException:
            stop_all(layout)
            raise
        return endpoint_line(ports["proxy-server"], access, secret)


def launch(layout, ports, access, secret, wait):
    memcached = [MEMCACHED, "-l", "127.0.0.1", "-p", str(ports["memcached"]), "-U", "0",
                 "-m", "16", "-c", "256", "-t", "1"]
    if os.geteuid() == 0:
        memcached += ["-u", "root"]
    # Only what this start wrote is shown on failure.
    offsets = {}
    for name in ("memcached",) + DAEMONS:
        try:
            offsets[name] = os.path.getsize(layout.log_file(name))
        except OSError:
            offsets[name] = 0
    procs = {"memcached": spawn(layout, "memcached", memcached)}
    for daemon in DAEMONS:
        procs[daemon] = spawn(layout, daemon, [sys.executable, os.path.abspath(__file__), "run",
                                               daemon, layout.data])
    deadline = time.monotonic() + wait
    why = "not started"
    while True:
        for name, proc in procs.items():
            code = proc.poll()
            if code is not None:
                raise Failure("%s exited with status %d" % (name, code), layout.log_file(name),
                              offsets[name])
        # S3 only once every daemon listens: a refused backend connection would make the proxy
        # avoid that node for a minute (its error limiting).
        closed = [name for name in procs
                  if not listening(ports[name], PROXY_HOST if name == "proxy-server" else "127.0.0.1")]
        why = ("%s not listening yet" % ", ".join(closed) if closed
               else probe(ports["proxy-server"], access, secret))
        if why is None:
            return
        if time.monotonic() >= deadline:
            culprit = closed[0] if closed else "proxy-server"
            raise Failure("no working S3 PUT/GET within %d s (last: %s)" % (wait, why),
                          layout.log_file(culprit), offsets[culprit])
        time.sleep(0.25)


def read_options(layout):
    try:
        with open(layout.options) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"fsync": True}


def endpoint_line(port, access, secret):
    return "endpoint=http://%s:%d access_key=%s secret_key=%s" % (PROXY_HOST, port, access, secret)


def cmd_stop(args):
    layout = Layout(args.data)
    if not os.path.isdir(layout.run):
        return
    with open(os.path.join(layout.data, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stop_all(layout)


def cmd_run(daemon, data):
    """The launcher of one daemon: points Swift at DIR/etc/swift.conf before any module reads
    /etc/swift/swift.conf, and sends its log to DIR/log/DAEMON.log instead of syslog."""
    import logging
    layout = Layout(data)
    import swift.common.utils as utils
    utils.SWIFT_CONF_FILE = layout.swift_conf
    log_path = layout.log_file(daemon)

    class FileLogHandler(logging.FileHandler):
        def __init__(self, address=None, facility=None):
            super().__init__(log_path)

        def format(self, record):
            return time.strftime("%Y-%m-%dT%H:%M:%S ") + super().format(record)

    utils.ThreadSafeSysLogHandler = FileLogHandler
    if not read_options(layout).get("fsync", True):
        # A throwaway engine (--no-fsync): nothing is forced to disk. Swift's every fsync and
        # fdatasync (object data, its directories, renames) goes through these two, and SQLite's
        # (account and container listings) through its synchronous pragma, set below.
        os.fsync = lambda fd: None
        os.fdatasync = lambda fd: None
        import swift.common.db as db
        connect = db.get_db_connection

        def get_db_connection(*args, **kwargs):
            conn = connect(*args, **kwargs)
            conn.execute("PRAGMA synchronous = OFF")
            return conn
        db.get_db_connection = get_db_connection
    from swift.common import constraints, storage_policy
    constraints.reload_constraints()
    storage_policy.reload_storage_policies()
    from swift.common.wsgi import run_wsgi
    kwargs = {}
    if daemon == "object-server":
        from swift.obj import server
        kwargs["global_conf_callback"] = server.global_conf_callback
    sys.exit(run_wsgi(layout.conf(daemon), daemon, **kwargs))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "run" and sys.argv[2] in DAEMONS:
        cmd_run(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(prog="objectstore")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start")
    start.add_argument("--data", required=True)
    start.add_argument("--port", type=int, default=0)
    start.add_argument("--wait", type=int, default=120)
    start.add_argument("--no-fsync", action="store_true")
    start.add_argument("--bind", default="127.0.0.1")
    stop = sub.add_parser("stop")
    stop.add_argument("--data", required=True)
    args = parser.parse_args()
    if args.command == "start" and not 0 <= args.port <= 65535:
        parser.error("--port must be 0..65535")
    if args.command == "start":
        try:
            socket.inet_aton(args.bind)
        except OSError:
            parser.error("--bind takes an IPv4 address")
        global PROXY_HOST
        PROXY_HOST = args.bind
    try:
        if args.command == "start":
            print(cmd_start(args), flush=True)
        else:
            cmd_stop(args)
    except Failure as e:
        print("objectstore: %s" % e, file=sys.stderr)
        if e.log:
            text = tail(e.log, e.offset)
            if text:
                print("--- last lines of %s ---\n%s" % (e.log, text), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
