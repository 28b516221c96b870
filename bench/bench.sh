#!/bin/bash
# jshim benchmark: measures jrunc side by side with runc and crun in the same
# run and prints medians and ratios (machines are noisy; only ratios within one
# run mean anything). Not a timed test: it never fails on a number.
#
#   bench/bench.sh [iterations]        (root; needs dist/ built: mvn package)
#   BENCH_CONTAINERS=M                 running containers for the shim PSS measure (default 20)
#   BENCH_PODS=P                       pods for the CRI measures (default 10; 0 skips them)
#
# Measures (1) jrunc against runc and crun:
#            `<runtime> run` of /bin/true (create + start + wait + delete),
#            `<runtime> create` + `start` + `delete -f` of a sleeping container,
#            `<runtime> state` of a running container;
# and (2) the jshim shim against containerd's runc shim under one private containerd:
#            `ctr run --rm /bin/true`, `ctr task exec /bin/true`, stdout throughput (256 MiB
#            from dd to ctr's stdout), total shim PSS with M running;
# and (3) Kubernetes pods through containerd's CRI plugin (a grpc-java client, as kubelet):
#            the jshim handler against the runc handler, pod start (RunPodSandbox with a CNI
#            network namespace + one container) and total shim PSS with P pods, under
#            containerd 1.6 with jshim's default grouping (a daemon per namespace) and with
#            grouping "pod" (a daemon per pod, runc's rule). Needs `mvn install` (test classes).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-15}
JRUNC="$here/dist/bin/jrunc"
[ -x "$JRUNC" ] || { echo "bench: $JRUNC not built (run mvn -q package -DskipTests)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }

work=$(mktemp -d /tmp/jshim-bench.XXXXXX)
cleanup() {
    for rt in runc crun jrunc; do
        for id in $(ls "$work/root-$rt" 2>/dev/null); do
            runtime_cmd "$rt" delete -f "$id" >/dev/null 2>&1 || true
        done
    done
    rm -rf "$work"
}
trap cleanup EXIT

runtime_cmd() {
    local rt=$1; shift
    case $rt in
        jrunc) "$JRUNC" --root "$work/root-jrunc" "$@" ;;
        *) "$rt" --root "$work/root-$rt" "$@" ;;
    esac
}

# A busybox bundle from busybox-static.
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for a in $("$bundle/rootfs/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$a"
done
(cd "$bundle" && runc spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$bundle/config.json"
sleep_bundle=$work/sleep-bundle
mkdir -p "$sleep_bundle"
sed 's/"true"$/"sleep", "1000"/; s|"path": "rootfs"|"path": "'"$bundle/rootfs"'"|' "$bundle/config.json" > "$sleep_bundle/config.json"

now_ns() { date +%s%N; }

# median of the numbers on stdin (milliseconds with one decimal)
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }

runtimes=(runc crun jrunc)
if crun_err=$(crun --root "$work/probe" run -b "$bundle" probe 2>&1 >/dev/null); then :; else
    echo "bench: crun cannot run here ($crun_err); skipping it" >&2
    runtimes=(runc jrunc)
fi
rm -rf "$work/probe"

declare -A RESULT
for rt in "${runtimes[@]}"; do
    # warm the page cache once
    runtime_cmd "$rt" run -b "$bundle" "warm-$rt" >/dev/null 2>&1 || true
    for metric in run create-start-delete state; do
        : > "$work/$rt-$metric"
    done
    for i in $(seq "$N"); do
        t0=$(now_ns); runtime_cmd "$rt" run -b "$bundle" "r$i" >/dev/null; t1=$(now_ns)
        echo "scale=1; ($t1-$t0)/1000000" | bc >> "$work/$rt-run"
        t0=$(now_ns)
        runtime_cmd "$rt" create -b "$sleep_bundle" "s$i" >/dev/null
        runtime_cmd "$rt" start "s$i"
        t1=$(now_ns)
        runtime_cmd "$rt" state "s$i" >/dev/null; t2=$(now_ns)
        runtime_cmd "$rt" delete -f "s$i"; t3=$(now_ns)
        echo "scale=1; ($t1-$t0+$t3-$t2)/1000000" | bc >> "$work/$rt-create-start-delete"
        echo "scale=1; ($t2-$t1)/1000000" | bc >> "$work/$rt-state"
    done
    for metric in run create-start-delete state; do
        RESULT[$rt,$metric]=$(median < "$work/$rt-$metric")
    done
done

printf '\njrunc vs runc and crun, median of %d, ms (ratio = jrunc / other; lower is better)\n' "$N"
printf '%-22s' metric; for rt in "${runtimes[@]}"; do printf '%10s' "$rt"; done
printf '%14s%14s\n' "jrunc/runc" "jrunc/crun"
for metric in run create-start-delete state; do
    printf '%-22s' "$metric"
    for rt in "${runtimes[@]}"; do printf '%10s' "${RESULT[$rt,$metric]}"; done
    printf '%14s' "$(echo "scale=2; ${RESULT[jrunc,$metric]} / ${RESULT[runc,$metric]}" | bc)"
    if [ -n "${RESULT[crun,$metric]:-}" ]; then
        printf '%14s' "$(echo "scale=2; ${RESULT[jrunc,$metric]} / ${RESULT[crun,$metric]}" | bc)"
    fi
    printf '\n'
done

# ---------------------------------------------------------------------------------------
# containerd: the jshim shim against containerd's runc shim, same containerd, same run.
# ctr run --rm /bin/true, ctr task exec /bin/true, and the shims' total PSS with M running
# containers (design.md §5 targets: ≤ 0.6×, ≤ 0.6×, ≤ 0.3×).
M=${BENCH_CONTAINERS:-20}
prefix=$work/prefix
"$here/deploy/install.sh" --prefix "$prefix" --no-link >/dev/null
cat > "$work/ctrd.toml" <<TOML
version = 2
root = "$work/ctrd-root"
state = "$work/ctrd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/c.sock"
[ttrpc]
  address = "$work/c.sock.ttrpc"
TOML
PATH="$prefix/bin:$PATH" JSHIM_SHIM_STATE_ROOT="$work/jshim" JSHIM_SHIM_IDLE_TIMEOUT=2 \
    containerd --config "$work/ctrd.toml" >"$work/containerd.log" 2>&1 &
ctrd=$!
stop_containerd() {
    kill "$ctrd" 2>/dev/null || true
    wait "$ctrd" 2>/dev/null || true
    for pidfile in "$work"/jshim/.daemons/*/daemon.pid; do
        [ -f "$pidfile" ] || continue
        p=$(cat "$pidfile")
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    done
}
trap 'stop_containerd; cleanup' EXIT
C="ctr --address $work/c.sock"
for _ in $(seq 100); do $C version >/dev/null 2>&1 && break; sleep 0.1; done
rootfs=$bundle/rootfs

# PSS (kB) of every shim process serving this containerd: runc shims by their -address flag,
# jshim daemons by their pid files.
shim_pss() {
    local total=0 pid
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        if tr '\0' ' ' 2>/dev/null < "$d/cmdline" | grep -q "containerd-shim-runc-v2 .*-address $work/c.sock"; then
            total=$((total + $(awk '/^Pss:/{print $2}' "$d/smaps_rollup" 2>/dev/null || echo 0)))
        fi
    done
    for pidfile in "$work"/jshim/.daemons/*/daemon.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        total=$((total + $(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

declare -A SHIM
for rt in io.containerd.runc.v2 io.containerd.jshim.v2; do
    short=${rt#io.containerd.}; short=${short%.v2}
    $C run --rm --runtime "$rt" --rootfs "$rootfs" "warm-$short" /bin/true >/dev/null 2>&1 || true
    : > "$work/$short-ctr-run"; : > "$work/$short-ctr-exec"
    $C run -d --runtime "$rt" --rootfs "$rootfs" "execbox-$short" /bin/sleep 1000 >/dev/null
    for i in $(seq "$N"); do
        t0=$(now_ns); $C run --rm --runtime "$rt" --rootfs "$rootfs" "b$short$i" /bin/true >/dev/null; t1=$(now_ns)
        echo "scale=1; ($t1-$t0)/1000000" | bc >> "$work/$short-ctr-run"
        t0=$(now_ns); $C task exec --exec-id "e$i" "execbox-$short" /bin/true >/dev/null; t1=$(now_ns)
        echo "scale=1; ($t1-$t0)/1000000" | bc >> "$work/$short-ctr-exec"
    done
    # stdout throughput: 256 MiB from dd through the shim's stdio to ctr's stdout (a pipe), three times
    : > "$work/$short-ctr-tp"
    for i in 1 2 3; do
        t0=$(now_ns)
        $C run --rm --runtime "$rt" --rootfs "$rootfs" "tp$short$i" /bin/dd if=/dev/zero bs=65536 count=4096 \
            2>/dev/null | cat > /dev/null
        t1=$(now_ns)
        echo "scale=1; ($t1-$t0)/1000000" | bc >> "$work/$short-ctr-tp"
    done
    $C task kill -s 9 "execbox-$short" >/dev/null 2>&1 || true
    sleep 0.5
    $C task delete "execbox-$short" >/dev/null 2>&1 || true
    $C container rm "execbox-$short" >/dev/null 2>&1 || true
    for i in $(seq "$M"); do
        $C run -d --runtime "$rt" --rootfs "$rootfs" "m$short$i" /bin/sleep 1000 >/dev/null
    done
    sleep 1
    SHIM[$short,pss]=$(shim_pss)
    for i in $(seq "$M"); do
        $C task kill -s 9 "m$short$i" >/dev/null 2>&1 || true
    done
    sleep 1
    for i in $(seq "$M"); do
        $C task delete "m$short$i" >/dev/null 2>&1 || true
        $C container rm "m$short$i" >/dev/null 2>&1 || true
    done
    SHIM[$short,run]=$(median < "$work/$short-ctr-run")
    SHIM[$short,exec]=$(median < "$work/$short-ctr-exec")
    # MB/s of the copy alone: the run's time minus a `ctr run --rm /bin/true` (start and teardown)
    SHIM[$short,tp]=$(echo "scale=1; 256 * 1000 / ($(median < "$work/$short-ctr-tp") - ${SHIM[$short,run]})" | bc)
done

printf '\njshim shim vs containerd'"'"'s runc shim (containerd %s), median of %d\n' \
    "$(containerd --version | awk '{print $3}')" "$N"
printf '%-34s%12s%12s%10s%10s\n' metric runc-shim jshim ratio target
printf '%-34s%12s%12s%10s%10s\n' "ctr run --rm /bin/true (ms)" "${SHIM[runc,run]}" "${SHIM[jshim,run]}" \
    "$(echo "scale=2; ${SHIM[jshim,run]} / ${SHIM[runc,run]}" | bc)" "<=0.6"
printf '%-34s%12s%12s%10s%10s\n' "ctr task exec /bin/true (ms)" "${SHIM[runc,exec]}" "${SHIM[jshim,exec]}" \
    "$(echo "scale=2; ${SHIM[jshim,exec]} / ${SHIM[runc,exec]}" | bc)" "<=0.6"
printf '%-34s%12s%12s%10s%10s\n' "stdout throughput, 256 MiB (MB/s)" "${SHIM[runc,tp]}" "${SHIM[jshim,tp]}" \
    "$(echo "scale=2; ${SHIM[jshim,tp]} / ${SHIM[runc,tp]}" | bc)" ">=1.5"
printf '%-34s%12s%12s%10s%10s\n' "shim PSS, $M running (MB)" "$(echo "scale=1; ${SHIM[runc,pss]}/1024" | bc)" \
    "$(echo "scale=1; ${SHIM[jshim,pss]}/1024" | bc)" \
    "$(echo "scale=2; ${SHIM[jshim,pss]} / ${SHIM[runc,pss]}" | bc)" "<=0.3"

# ---------------------------------------------------------------------------------------
# CRI: pods on the jshim handler against the runc handler (integration-tests' CriBench, which
# starts its own private containerd with CRI and a private CNI bridge; design.md §5 targets:
# pod start ≤ 0.8×, shim PSS ≤ 0.3×).
P=${BENCH_PODS:-10}
if [ "$P" -gt 0 ]; then
    stop_containerd
    (cd "$here" && mvn -B -q -pl integration-tests test-compile -Djshim.it.standalone >/dev/null 2>&1)
    (cd "$here" && mvn -B -q -pl integration-tests dependency:build-classpath -Djshim.it.standalone \
        -Dmdep.includeScope=test -Dmdep.outputFile="$work/cri-cp.txt" >/dev/null 2>&1)
    cri_bench() {
        "${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -Djshim.root="$here" \
            -cp "$here/integration-tests/target/test-classes:$(cat "$work/cri-cp.txt")" \
            io.jshim.it.cri.CriBench "$@" 2>/dev/null | sed -n '/^CRI pods/,$p'
    }
    printf '\n'
    cri_bench 1 "$P"
    printf '\n'
    cri_bench 1 "$P" pod
fi
