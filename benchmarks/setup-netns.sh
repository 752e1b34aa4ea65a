#!/bin/sh
# Installs what `java -jar benchmarks.jar netns` needs (nftables or iptables, ethtool, iproute2) and
# checks, in a throw-away network namespace, that the kernel really does what the benchmark asks of it:
# a veth pair with offloads off, a random-drop rule, a tbf qdisc, and TCP BBR/CUBIC.
# Idempotent and non-interactive; run as root. Exit status 0 means the netns benchmark can run.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-netns.sh: must run as root (it installs packages and makes network namespaces)" >&2
    exit 1
fi

need=""
command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1 || need="$need iproute2"
command -v nft >/dev/null 2>&1 || need="$need nftables"
command -v iptables >/dev/null 2>&1 || need="$need iptables"
command -v ethtool >/dev/null 2>&1 || need="$need ethtool"
command -v sysctl >/dev/null 2>&1 || need="$need procps"
if [ -n "$need" ]; then
    echo "installing:$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $need >/dev/null
fi

ns="rudpsetup$$"
allowed=$(cat /proc/sys/net/ipv4/tcp_allowed_congestion_control)
cleanup() {
    ip netns del "${ns}a" 2>/dev/null || true; ip netns del "${ns}b" 2>/dev/null || true
    echo "$allowed" > /proc/sys/net/ipv4/tcp_allowed_congestion_control
}
trap cleanup EXIT INT TERM
ip netns add "${ns}a"
ip netns add "${ns}b"
ip link add "rsa$$" netns "${ns}a" type veth peer name "rsb$$" netns "${ns}b"
ip netns exec "${ns}a" ethtool -K "rsa$$" tso off gso off gro off >/dev/null
echo "ok: veth pair in namespaces, offloads off"

drop=""
if ip netns exec "${ns}b" nft -f - <<NFT 2>/dev/null
table netdev rudpsetup {
  chain in {
    type filter hook ingress device "rsb$$" priority 0; policy accept;
    meta protocol ip numgen random mod 1000000 < 10000 counter drop
  }
}
NFT
then
    drop="nft (numgen random in a netdev ingress chain)"
elif ip netns exec "${ns}b" iptables -w -A INPUT -m statistic --mode random --probability 0.01 -j DROP 2>/dev/null; then
    drop="iptables (statistic match in INPUT)"
else
    echo "FAIL: neither nft nor iptables could add a random-drop rule (kernel without nf_tables/xt_statistic?)" >&2
    exit 1
fi
echo "ok: kernel random drop with $drop"

if tc -n "${ns}a" qdisc replace dev "rsa$$" root tbf rate 200mbit burst 50000 limit 500000; then
    echo "ok: tbf rate limit"
else
    echo "FAIL: tc tbf does not work" >&2
    exit 1
fi

avail=$(ip netns exec "${ns}a" cat /proc/sys/net/ipv4/tcp_available_congestion_control)
case " $avail " in *" bbr "*) ;; *) modprobe tcp_bbr 2>/dev/null || true;; esac
avail=$(ip netns exec "${ns}a" cat /proc/sys/net/ipv4/tcp_available_congestion_control)
# A namespace may only pick a default the root namespace allows; the benchmark widens the list while it
# runs and restores it afterwards, as this check does.
echo "$allowed cubic bbr" > /proc/sys/net/ipv4/tcp_allowed_congestion_control
for cc in cubic bbr; do
    case " $avail " in
        *" $cc "*) ip netns exec "${ns}a" sysctl -q -w "net.ipv4.tcp_congestion_control=$cc"; echo "ok: TCP $cc";;
        *) echo "WARN: TCP $cc not available (have: $avail); its rows will say n/a" >&2;;
    esac
done

if tc -n "${ns}a" qdisc replace dev "rsa$$" root netem delay 1ms 2>/dev/null; then
    echo "note: this kernel has netem"
else
    echo "note: no netem in this kernel: delayed profiles need linkemu.py (--linkemu)"
fi
echo "setup-netns.sh: ready"
