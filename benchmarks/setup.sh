#!/bin/sh
# Installs what the benchmark runners need from Debian's packages and, given a folder, makes the keys
# the real UDP tools of the `peers` runner use. Idempotent and non-interactive; installing needs root.
#
#   benchmarks/setup.sh [KEYDIR]
#
# Packages: uftp (uftp, uftpd, uftp_keymgt), kcptun (kcptun-client, kcptun-server), ngtcp2-client and
# ngtcp2-server (gtlsclient, gtlsserver: HTTP/3 over QUIC with GnuTLS), udpcast (udp-sender,
# udp-receiver), openssh-server and openssh-client (sshd for the sftp rows, plain and through kcptun),
# openssl (the QUIC server's certificate), iproute2, nftables, iptables, ethtool, procps (the
# namespace runners; benchmarks/setup-netns.sh checks the kernel side). Nothing is enabled or
# started: every runner starts its own servers on loopback or inside namespaces it makes.
#
# KEYDIR (made mode 700, every key mode 600; existing keys are kept):
#   uftp-server.pem, uftp-client.pem   EC P-256 keys of the uftp sender and receiver (uftp_keymgt)
#   quic-key.pem, quic-cert.pem        EC P-256 key and self-signed certificate of gtlsserver
#   ssh_host_ed25519_key, id_ed25519   sshd's host key and the sftp client's key (ssh-keygen)
# Pass the same folder to the runner (`peers --keys KEYDIR`); without it the runner makes throw-away
# keys of the same kinds in its temporary folder.
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

# command -v per program the runners call; a package is installed only when one of its programs is missing.
need=""
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
want() { # want PACKAGE PROGRAM...
    pkg=$1; shift
    for prog in "$@"; do
        if ! have "$prog"; then
            need="$need $pkg"
            return
        fi
    done
}
want uftp uftp uftpd uftp_keymgt
want kcptun kcptun-client kcptun-server
want ngtcp2-client gtlsclient
want ngtcp2-server gtlsserver
want udpcast udp-sender udp-receiver
want openssh-server sshd
want openssh-client sftp ssh ssh-keygen
want openssl openssl
want iproute2 ip tc
want nftables nft
want iptables iptables
want ethtool ethtool
want procps sysctl

if [ -n "$need" ]; then
    echo "setup.sh: installing$need"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
    # A package's post-install may try to start its service; without an init system that fails
    # harmlessly and the programs are still installed.
    # shellcheck disable=SC2086
    $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $need >/dev/null
else
    echo "setup.sh: all packages present"
fi

# sshd refuses to start as root without its privilege-separation directory, which an init system
# makes at boot; /run is a tmpfs, so make it every time.
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd
    chmod 755 /run/sshd
fi

for prog in uftp kcptun-client gtlsclient gtlsserver udp-sender sshd; do
    if have "$prog"; then echo "ok: $prog"; else echo "MISSING: $prog" >&2; fi
done

if [ $# -ge 1 ]; then
    keys=$1
    umask 077
    mkdir -p "$keys"
    chmod 700 "$keys"
    [ -s "$keys/uftp-server.pem" ] || uftp_keymgt -g ec:prime256v1 "$keys/uftp-server.pem" >/dev/null
    [ -s "$keys/uftp-client.pem" ] || uftp_keymgt -g ec:prime256v1 "$keys/uftp-client.pem" >/dev/null
    if [ ! -s "$keys/quic-key.pem" ] || [ ! -s "$keys/quic-cert.pem" ]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
            -subj /CN=rudp-bench -keyout "$keys/quic-key.pem" -out "$keys/quic-cert.pem" 2>/dev/null
    fi
    [ -s "$keys/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N "" -C rudp-bench -f "$keys/ssh_host_ed25519_key"
    [ -s "$keys/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C rudp-bench -f "$keys/id_ed25519"
    chmod 600 "$keys"/*
    echo "setup.sh: keys in $keys (mode 700, files 600)"
fi
