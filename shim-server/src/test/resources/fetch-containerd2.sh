#!/bin/bash
# Unpacks a containerd 2.x from Debian unstable's "containerd" package into a private directory and
# prints the directory holding its binaries (containerd, ctr, containerd-shim-runc-v2) on stdout.
# Nothing is installed system-wide. The mirror is read from this machine's apt configuration at run
# time (shared/docs/machine-notes.md), never written into the repository.
#
# Cache: $JSHIM_CONTAINERD2_CACHE, default /var/cache/jshim-test/containerd2. A second run reuses it.
set -euo pipefail

cache=${JSHIM_CONTAINERD2_CACHE:-/var/cache/jshim-test/containerd2}
bin="$cache/root/usr/bin"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 600 9   # two test JVMs may ask at once

if [[ -x "$bin/containerd" && -x "$bin/ctr" ]]; then
    echo "$bin"
    exit 0
fi

mirror=""
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
    mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2; exit} $1 == "deb" && $2 ~ /^\[/ {print $3; exit}' /etc/apt/sources.list)
fi
if [[ -z "$mirror" ]]; then
    echo "fetch-containerd2: no Debian mirror found in /etc/apt" >&2
    exit 1
fi

mkdir -p "$cache/lists/partial" "$cache/apt-cache/archives/partial" "$cache/download"
echo "deb $mirror sid main" > "$cache/sources.list"
# private lists and package cache: the host's apt state stays untouched
apt_opts=(-o "Dir::Etc::SourceList=$cache/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache/apt-cache"
          -o Acquire::Languages=none -o APT::Get::List-Cleanup=false -o APT::Sandbox::User=root)

apt-get "${apt_opts[@]}" -qq update >&2
rm -f "$cache"/download/containerd_*.deb
(cd "$cache/download" && apt-get "${apt_opts[@]}" -qq download containerd >&2)

deb=$(ls "$cache"/download/containerd_*.deb | head -n1)
rm -rf "$cache/root.new"
dpkg -x "$deb" "$cache/root.new"
rm -rf "$cache/root"
mv "$cache/root.new" "$cache/root"
"$bin/containerd" --version >&2
echo "$bin"
