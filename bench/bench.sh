#!/bin/bash
# jshim benchmark: measures jrunc side by side with runc and crun in the same
# run and prints medians and ratios (machines are noisy; only ratios within one
# run mean anything). Not a timed test: it never fails on a number.
#
#   bench/bench.sh [iterations]        (root; needs dist/ built: mvn package)
#
# Measures:  `<runtime> run` of /bin/true (create + start + wait + delete),
#            `<runtime> create` + `start` + `delete -f` of a sleeping container,
#            `<runtime> state` of a running container.
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
