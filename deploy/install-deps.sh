#!/bin/bash
# Installs the system packages that building and testing jshim need (Debian 12).
# Idempotent: runs apt-get only when something is missing. Needs root for that step.
# Shared by deploy/test.sh and deploy/quickstart.sh; exports nothing (see deploy/env.sh).
set -euo pipefail

JDK_DIR=/usr/lib/jvm/temurin-25-jdk-amd64

# Package -> why:
#   gcc make pkg-config libseccomp-dev : build native-init (jshim-init, seccomp)
#   libc6-dev                          : C headers, and libc.a for the static probe SecurityIT builds
#   busybox-static                     : rootfs of every test bundle and of the quickstart
#   runc                               : reference runtime (parity tests); its `spec` seeds bundles
#   crun containerd                    : integration tests against other runtimes / containerd
#   maven                              : the build
#   procps iproute2                    : ps / ip used by tests and scripts
#   ca-certificates                    : Maven Central over https
#   python3                            : native-init smoke test, leak checks
#   bc util-linux                      : bench/bench.sh arithmetic; script(1) for terminal tests
#   protobuf-compiler golang-github-containerd-containerd-dev : proto wire-compatibility test (containerd 1.6 .proto files)
#   umoci skopeo                       : the pause (sandbox) image, deploy/pause/build-image.sh; CRI tests' images
#   containernetworking-plugins        : CNI bridge/host-local/loopback for CRI pods with their own netns
PACKAGES=(gcc libc6-dev make pkg-config libseccomp-dev busybox-static runc crun containerd maven
          procps iproute2 ca-certificates python3 bc util-linux
          protobuf-compiler golang-github-containerd-containerd-dev
          umoci skopeo containernetworking-plugins)

APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
done

need_jdk=0
[ -x "$JDK_DIR/bin/java" ] || need_jdk=1

if [ ${#missing[@]} -gt 0 ] || [ $need_jdk -eq 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing: ${missing[*]:-}$([ $need_jdk -eq 1 ] && echo ' a Java 25 JDK'); run this script as root" >&2
        exit 1
    fi
    echo "install-deps: apt-get update" >&2
    apt-get "${APT_OPTS[@]}" update -qq
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ $need_jdk -eq 1 ]; then
    # Debian 12 has no JDK 25; this machine kind ships Temurin 25 preinstalled. Install it
    # only if some configured repository happens to serve it.
    if apt-cache policy temurin-25-jdk 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        echo "install-deps: installing temurin-25-jdk" >&2
        DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends temurin-25-jdk
    fi
fi

# shellcheck source=env.sh
if ! . "$(dirname "${BASH_SOURCE[0]}")/env.sh"; then
    echo "install-deps: Java 25 is required: expected a JDK at $JDK_DIR (Temurin 25);" \
         "Debian 12 has no JDK 25 package and no configured repository serves temurin-25-jdk." >&2
    exit 1
fi
