#!/bin/bash
# Makes sure Debian 12's containerd (1.6.x, with ctr) is installed and prints the directory of its
# binaries. Installs the package with apt when it is missing (root only; CI runs as root).
set -euo pipefail

if [[ ! -x /usr/bin/containerd || ! -x /usr/bin/ctr ]]; then
    export DEBIAN_FRONTEND=noninteractive
    exec 9>/var/lock/jshim-test-apt.lock
    flock -w 600 9
    if [[ ! -x /usr/bin/containerd ]]; then
        apt-get install -y -qq containerd >&2 || { apt-get update -qq >&2 && apt-get install -y -qq containerd >&2; }
    fi
fi
/usr/bin/containerd --version >&2
echo /usr/bin
