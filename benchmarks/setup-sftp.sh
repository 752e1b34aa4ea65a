#!/bin/sh
# Installs what the e2e runner's sftp rows need: OpenSSH's server (sshd; the client, sftp and
# ssh-keygen come with openssh-client). Idempotent and non-interactive; run as root or with sudo.
# The runner starts its own sshd on 127.0.0.1 with a temporary configuration and keys: this script
# neither enables nor starts the system's sshd service.
set -eu

if [ -x /usr/sbin/sshd ] && command -v sftp >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
    echo "setup-sftp: sshd, sftp and ssh-keygen are present"
else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    # policy-rc.d-free: the package may try to start the service; in a container without an init
    # system that fails harmlessly and the binary is still installed.
    $SUDO apt-get install -y -q --no-install-recommends openssh-server openssh-client
fi

# sshd refuses to start as root without its privilege-separation directory, which an init system
# would create at boot; /run is a tmpfs, so create it every time.
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd
    chmod 755 /run/sshd
fi
/usr/sbin/sshd -V 2>&1 | head -n 1 || true
