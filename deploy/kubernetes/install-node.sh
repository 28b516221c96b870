#!/bin/bash
# jshim's node installer: puts jshim on a Kubernetes node and registers the `jshim` runtime handler
# with containerd's CRI plugin; `uninstall` reverses it. The DaemonSet in jshim-deploy.yaml runs it with
# the node's root mounted at /host (as kata-deploy does); it also runs by hand on a node (NODE_ROOT=/).
#
#   install-node.sh install      copy jshim under the prefix, add the handler, restart containerd
#   install-node.sh uninstall    remove the handler and the prefix, restart containerd
#   install-node.sh print-config print what install would add to containerd's config (nothing changes)
#
# Settings (environment). Paths named "node path" are as the node sees them; the script reads and writes
# them under $NODE_ROOT.
#   NODE_ROOT                  the node's / (default /host)
#   JSHIM_ARTIFACTS            what the installer image carries (default /opt/jshim-artifacts):
#     JSHIM_DIST               a built dist/ (bin/, lib/jshim/, libexec/jshim/) (default $JSHIM_ARTIFACTS/dist)
#     JSHIM_JDK                a Java 25+ runtime to install as <prefix>/jdk, if the directory exists
#                              (default $JSHIM_ARTIFACTS/jdk); without one the node needs a JDK 25 where
#                              the shim looks ($JSHIM_JAVA_HOME, $JAVA_HOME, /usr/lib/jvm/temurin-25*)
#     $JSHIM_ARTIFACTS/pause.tar  the pause image (deploy/pause/build-image.sh), copied to
#                              <prefix>/share/jshim/pause.tar if present
#   JSHIM_PREFIX               node path of the install (default /opt/jshim)
#   CONTAINERD_CONFIG          node path of containerd's config (default /etc/containerd/config.toml)
#   CONTAINERD_CONFIG_VERSION  2 | 3 | auto (default): the file's `version`; for a missing or empty file,
#                              from `containerd --version` on the node (1.x -> 2, 2.x -> 3)
#   JSHIM_DROPIN_DIR           node path of the drop-in dir for config version 3 (default /etc/containerd/conf.d)
#   JSHIM_RUNTIME_NAME         the handler name (default jshim)
#   JSHIM_RESTART              how containerd is restarted after its config changed:
#                                auto (default): systemctl if the node runs systemd; else a warning,
#                                  and no restart (pick one of the others)
#                                systemctl: `systemctl restart containerd` in the node's root (chroot)
#                                signal: SIGTERM (JSHIM_RESTART_SIGNAL) to each containerd process found
#                                  under $NODE_ROOT/proc whose --config is CONTAINERD_CONFIG, for its
#                                  supervisor to start again (needs hostPID)
#                                command: JSHIM_RESTART_COMMAND, run in the node's root (chroot)
#                                none: nothing (restart it yourself; tests use this)
#   JSHIM_LINK                 1 (default): link <node>/usr/local/bin/containerd-shim-jshim-v2 to the shim,
#                              so that containerd finds it on its PATH: `ctr run --runtime io.containerd.jshim.v2`,
#                              and CRI on containerd 1.6, which ignores runtime_path (1.6.20, tested); 0: no link
#   JSHIM_AOT                  auto (default) | 1 | 0: make the AOT caches on the node (in its root) after
#                              copying; auto skips it, with a note, when that cannot run
#
# How containerd's config is changed (idempotent: a second install changes nothing):
#   version 2 (containerd 1.6/1.7): a block between marker lines is appended to the config itself, with
#     the handler's table (and runc's, when the file declares no runtime: 1.x replaces its default
#     runtimes map). Not a drop-in: 1.x merges `imports` per plugin, so a drop-in with a CRI table would
#     replace the node's whole CRI configuration.
#   version 3 (containerd 2.x): a drop-in, <JSHIM_DROPIN_DIR>/jshim.toml, listed under `imports` in the
#     config (added to an existing `imports` array unless one of its entries already covers the file);
#     2.x merges imported tables key by key.
# Lines the installer adds end with "# added by jshim install-node.sh"; uninstall removes exactly those,
# the marked block, the import entry and the drop-in, and deletes a config file it created. What it did
# is kept in <prefix>/install-state. Node-wide CRI settings (sandbox image, restrict_oom_score_adj) are
# not touched: see deploy/containerd/cri-v2.toml and cri-v3.toml.
set -euo pipefail

ACTION=${1:-install}
NODE_ROOT=${NODE_ROOT:-/host}
ARTIFACTS=${JSHIM_ARTIFACTS:-/opt/jshim-artifacts}
DIST=${JSHIM_DIST:-$ARTIFACTS/dist}
JDK=${JSHIM_JDK:-$ARTIFACTS/jdk}
PREFIX=${JSHIM_PREFIX:-/opt/jshim}
CONFIG=${CONTAINERD_CONFIG:-/etc/containerd/config.toml}
CONFIG_VERSION=${CONTAINERD_CONFIG_VERSION:-auto}
DROPIN_DIR=${JSHIM_DROPIN_DIR:-/etc/containerd/conf.d}
HANDLER=${JSHIM_RUNTIME_NAME:-jshim}
RESTART=${JSHIM_RESTART:-auto}
RESTART_COMMAND=${JSHIM_RESTART_COMMAND:-}
RESTART_SIGNAL=${JSHIM_RESTART_SIGNAL:-TERM}
LINK=${JSHIM_LINK:-1}
AOT=${JSHIM_AOT:-auto}

MARK="# added by jshim install-node.sh"
BEGIN="# >>> jshim install-node.sh: runtime handler >>>"
END="# <<< jshim install-node.sh: runtime handler <<<"
SHIM_NAME=containerd-shim-jshim-v2

say() { echo "install-node.sh: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

# A node path under NODE_ROOT.
h() { local r=${NODE_ROOT%/}; printf '%s%s' "$r" "$1"; }

case "$PREFIX" in /*) ;; *) die "JSHIM_PREFIX must be an absolute node path, got $PREFIX" ;; esac
case "$CONFIG" in /*) ;; *) die "CONTAINERD_CONFIG must be an absolute node path, got $CONFIG" ;; esac
case "$DROPIN_DIR" in /*) ;; *) die "JSHIM_DROPIN_DIR must be an absolute node path, got $DROPIN_DIR" ;; esac
[[ "$HANDLER" =~ ^[A-Za-z0-9_-]+$ ]] || die "JSHIM_RUNTIME_NAME must be a bare TOML key ([A-Za-z0-9_-]), got $HANDLER"
[ -d "$(h /)" ] || die "NODE_ROOT $NODE_ROOT is not a directory (mount the node's / there)"

STATE_FILE=$(h "$PREFIX/install-state")
DROPIN=$DROPIN_DIR/jshim.toml

# ---- running things in the node's root -----------------------------------------------------------

in_node() {
    if [ "$(cd "$(h /)" && pwd -P)" = / ]; then
        "$@"
    else
        chroot "$(h /)" "$@"
    fi
}

can_chroot() {
    [ "$(cd "$(h /)" && pwd -P)" = / ] && return 0
    [ -x "$(h /bin/sh)" ] || [ -L "$(h /bin/sh)" ] || return 1
    chroot "$(h /)" /bin/sh -c true 2>/dev/null
}

# ---- containerd config: version ------------------------------------------------------------------

# True if the file has a key or table (not only comments and blank lines).
has_content() {
    [ -f "$1" ] && grep -qvE '^[[:space:]]*(#.*)?$' "$1"
}

# The top-level `version` of a config (1 when it has content but no version, as containerd reads it).
file_version() {
    awk '
        /^[[:space:]]*\[/ { exit }
        match($0, /^[[:space:]]*version[[:space:]]*=[[:space:]]*[0-9]+/) {
            v = substr($0, RSTART, RLENGTH); sub(/.*=[[:space:]]*/, "", v); print v; found = 1; exit
        }
        END { if (!found) print 1 }' "$1"
}

containerd_major() {
    local b out
    for b in /usr/bin/containerd /usr/local/bin/containerd /bin/containerd /usr/sbin/containerd; do
        [ -x "$(h "$b")" ] || continue
        if can_chroot; then
            out=$(in_node "$b" --version 2>/dev/null) || out=""
        fi
        [ -n "${out:-}" ] || out=$("$(h "$b")" --version 2>/dev/null) || out=""
        if [[ "$out" =~ [[:space:]]v?([0-9]+)\.[0-9]+ ]]; then
            echo "${BASH_REMATCH[1]}"
            return 0
        fi
    done
    return 1
}

detect_version() {
    local f
    f=$(h "$CONFIG")
    if [ "$CONFIG_VERSION" != auto ]; then
        case "$CONFIG_VERSION" in 2|3) echo "$CONFIG_VERSION"; return ;; esac
        die "CONTAINERD_CONFIG_VERSION must be 2, 3 or auto, got $CONFIG_VERSION"
    fi
    if has_content "$f"; then
        local v
        v=$(file_version "$f")
        case "$v" in
            2|3) echo "$v" ;;
            1) die "$CONFIG has no 'version = 2' or 'version = 3' line: config version 1 is not supported (containerd 2.x: 'containerd config migrate'; 1.x: write it as version 2)" ;;
            *) die "$CONFIG: config version $v is not supported (2 for containerd 1.x, 3 for 2.x)" ;;
        esac
        return
    fi
    local major
    major=$(containerd_major) || die "no containerd config at $CONFIG and no containerd binary on the node to ask for its version: set CONTAINERD_CONFIG_VERSION (2 for containerd 1.x, 3 for 2.x)"
    if [ "$major" -ge 2 ]; then echo 3; else echo 2; fi
}

# ---- containerd config: editing ------------------------------------------------------------------

# The file without the installer's block (and the one blank line before it); with "all", also without
# the lines it marked (version, imports).
strip_ours() {
    awk -v begin="$BEGIN" -v end="$END" -v mark="$MARK" -v all="${2:-}" '
        function flush() { if (held) { print ""; held = 0 } }
        $0 == begin { held = 0; skip = 1; next }
        skip && $0 == end { skip = 0; next }
        skip { next }
        all == "all" && length($0) >= length(mark) && substr($0, length($0) - length(mark) + 1) == mark { next }
        /^[[:space:]]*$/ && $0 == "" { flush(); held = 1; next }
        { flush(); print }
        END { flush() }' "$1"
}

# True if the config (minus our block) has a `[... .containerd.runtimes.<name>]` table, any quoting.
declares_runtime() {
    local file=$1 name=$2
    strip_ours "$file" | tr -d ' \t' | tr "'" '"' \
        | grep -qE "^\[plugins\.\"io\.containerd\.grpc\.v1\.cri\"\.containerd\.runtimes\.\"?${name}\"?[].]"
}

declares_any_runtime() {
    strip_ours "$1" | tr -d ' \t' | tr "'" '"' \
        | grep -qE '^\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.'
}

# The shim containerd runs: the JDK wrapper when install bundled a JDK (or, for print-config, would).
shim_for_config() {
    if [ -f "$(h "$PREFIX/shim/$SHIM_NAME")" ] || { [ "$ACTION" = print-config ] && [ -x "$JDK/bin/java" ]; }; then
        echo "$PREFIX/shim/$SHIM_NAME"
    else
        echo "$PREFIX/bin/$SHIM_NAME"
    fi
}

v2_block() {
    local with_runc=$1 shim=$2
    echo "$BEGIN"
    echo "# (\`install-node.sh uninstall\` removes this block; edit the installer's settings, not these lines)"
    if [ "$with_runc" = 1 ]; then
        echo "# runc, because containerd 1.x replaces its default runtimes map with this file's"
        echo "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]"
        echo "  runtime_type = \"io.containerd.runc.v2\""
        echo
    fi
    echo "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$HANDLER]"
    echo "  runtime_type = \"io.containerd.jshim.v2\""
    echo "  # containerd 1.6 ignores runtime_path and finds the shim on its PATH (/usr/local/bin/$SHIM_NAME)"
    echo "  runtime_path = \"$shim\""
    echo "  pod_annotations = [\"io.containerd.jshim.v2.*\"]"
    echo "$END"
}

v3_dropin() {
    local shim=$1
    cat <<EOF
# Written by jshim's install-node.sh, listed under \`imports\` in $CONFIG; \`install-node.sh uninstall\`
# removes it. containerd 2.x merges it key by key into the main config.
version = 3

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.$HANDLER]
  runtime_type = 'io.containerd.jshim.v2'
  runtime_path = '$shim'
  sandboxer = 'podsandbox'
  pod_annotations = ['io.containerd.jshim.v2.*']
EOF
}

# The entries of the top-level `imports` array, one a line.
imports_of() {
    awk '
        /^[[:space:]]*\[/ && !inarr { exit }
        !inarr && /^[[:space:]]*imports[[:space:]]*=/ { inarr = 1; sub(/^[^=]*=/, "") }
        inarr {
            line = $0
            while (match(line, /"[^"]*"|\047[^\047]*\047/)) {
                print substr(line, RSTART + 1, RLENGTH - 2)
                line = substr(line, RSTART + RLENGTH)
            }
            if (index($0, "]")) exit
        }' "$1"
}

imports_cover() {
    local file=$1 path=$2 entry
    while IFS= read -r entry; do
        [ -n "$entry" ] || continue
        # shellcheck disable=SC2053  # a glob, as containerd's filepath.Glob reads it
        if [ "$entry" = "$path" ] || [[ "$path" == $entry ]]; then
            return 0
        fi
    done < <(imports_of "$file")
    return 1
}

has_imports_key() {
    awk '/^[[:space:]]*\[/ { exit } /^[[:space:]]*imports[[:space:]]*=/ { found = 1; exit } END { exit !found }' "$1"
}

# Adds "$2" to the file's top-level imports array (which exists), before its closing bracket: inside a
# one-line array, or as a marked line of its own when the array closes on a line of its own.
add_to_imports() {
    local file=$1 path=$2
    awk -v item="\"$path\"" -v mark="$MARK" '
        function rtrim(s) { sub(/[[:space:]]+$/, "", s); return s }
        done || (/^[[:space:]]*\[/ && !inarr) { print; if (!inarr) done = 1; next }
        !inarr && /^[[:space:]]*imports[[:space:]]*=/ { inarr = 1; buf = "" }
        inarr {
            buf = (buf == "" ? $0 : buf "\n" $0)
            if (index($0, "]")) {
                close_at = 0
                for (i = length(buf); i > 0; i--) if (substr(buf, i, 1) == "]") { close_at = i; break }
                head = rtrim(substr(buf, 1, close_at - 1)); tail = substr(buf, close_at)
                last = substr(head, length(head), 1)
                if ($0 ~ /^[[:space:]]*\]/ && index(buf, "\n")) {
                    # a multi-line array closed on its own line: one marked line of ours before it
                    print substr(buf, 1, length(buf) - length($0) - 1)
                    print "  " (last == "[" || last == "," ? item "," : ", " item) "  " mark
                    print $0
                } else {
                    sep = (last == "[") ? "" : (last == "," ? " " : ", ")
                    print head sep item tail
                }
                inarr = 0; done = 1
            }
            next
        }
        { print }' "$file"
}

# Removes "$2" from the top-level imports array of the file $1 (what add_to_imports added).
remove_from_imports() {
    awk -v q="\"$2\"" '
        function cut(s, t,   p) { while ((p = index(s, t)) > 0) s = substr(s, 1, p - 1) substr(s, p + length(t)); return s }
        /^[[:space:]]*\[/ && !inarr { done = 1 }
        !done && !inarr && /^[[:space:]]*imports[[:space:]]*=/ { inarr = 1 }
        inarr {
            line = cut(cut(cut(cut(cut($0, ", " q), q ", "), "," q), q ","), q)
            print line
            if (index($0, "]")) { inarr = 0; done = 1 }
            next
        }
        { print }' "$1"
}

# Writes stdin to $1 if it differs; echoes "changed" or "unchanged".
write_if_changed() {
    local dest=$1 tmp
    tmp=$(mktemp "$(dirname "$dest")/.jshim.XXXXXX")
    cat > "$tmp"
    if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
        echo unchanged
    else
        if [ -f "$dest" ]; then
            chmod --reference="$dest" "$tmp" 2>/dev/null || chmod 0644 "$tmp"
        else
            chmod 0644 "$tmp"
        fi
        mv -f "$tmp" "$dest"
        echo changed
    fi
}

CHANGED=0

configure_v2() {
    local f shim with_runc=0
    f=$(h "$CONFIG")
    shim=$(shim_for_config)
    if declares_runtime "$f" "$HANDLER"; then
        say "warning: $CONFIG already declares runtime '$HANDLER' (not written by this installer): left as it is"
        return
    fi
    declares_any_runtime "$f" || with_runc=1
    if [ "$LINK" != 1 ]; then
        say "warning: JSHIM_LINK=0 with config version 2: containerd 1.6 ignores runtime_path and looks" \
            "$SHIM_NAME up on its PATH; put $(shim_for_config) there yourself"
    fi
    local r
    r=$({
        strip_ours "$f"
        # the block goes after one blank line (strip_ours removes both again)
        [ -z "$(tail -c 1 "$f")" ] || echo
        echo
        v2_block "$with_runc" "$shim"
    } | write_if_changed "$f")
    [ "$r" = changed ] && CHANGED=1
    say "containerd config (version 2) $CONFIG: $r"
}

configure_v3() {
    local f d shim r
    f=$(h "$CONFIG")
    d=$(h "$DROPIN")
    shim=$(shim_for_config)
    if [ ! -d "$(dirname "$d")" ]; then
        mkdir -p "$(dirname "$d")"
        echo "created_dropin_dir=1" >> "$STATE_TMP"
    fi
    grep -q "^created_dropin_dir=1$" <<< "$PREV_STATE" && echo "created_dropin_dir=1" >> "$STATE_TMP"
    r=$(v3_dropin "$shim" | write_if_changed "$d")
    [ "$r" = changed ] && CHANGED=1
    say "drop-in $DROPIN: $r"
    if imports_cover "$f" "$DROPIN"; then
        say "containerd config (version 3) $CONFIG: imports already cover $DROPIN"
        return
    fi
    if has_imports_key "$f"; then
        r=$(add_to_imports "$f" "$DROPIN" | write_if_changed "$f")
    else
        r=$(awk -v line="imports = [\"$DROPIN\"]  $MARK" '
            !done && /^[[:space:]]*\[/ { print line; done = 1 }
            { print }
            END { if (!done) print line }' "$f" | write_if_changed "$f")
    fi
    [ "$r" = changed ] && CHANGED=1
    say "containerd config (version 3) $CONFIG: $r (imports $DROPIN)"
}

# ---- restart -------------------------------------------------------------------------------------

# The value of --config / -c in a NUL-separated cmdline, or containerd's default.
config_of_cmdline() {
    tr '\0' '\n' < "$1" | awk '
        want { print; found = 1; exit }
        $0 == "--config" || $0 == "-c" { want = 1; next }
        /^--config=/ { sub(/^--config=/, ""); print; found = 1; exit }
        END { if (!found) print "/etc/containerd/config.toml" }'
}

restart_containerd() {
    local mode=$RESTART
    if [ "$mode" = auto ]; then
        if [ -d "$(h /run/systemd/system)" ] && can_chroot; then
            mode=systemctl
        else
            # SIGTERM to a containerd nobody restarts would stop the node's containers' management:
            # without systemd, the way to restart is the admin's to choose
            say "warning: the node does not run systemd: containerd NOT restarted; restart it yourself," \
                "or set JSHIM_RESTART=signal (a supervisor restarts it) or JSHIM_RESTART=command"
            return 0
        fi
    fi
    case "$mode" in
        none)
            say "JSHIM_RESTART=none: restart containerd yourself to load the change"
            ;;
        systemctl)
            say "restarting containerd: systemctl restart containerd"
            in_node systemctl restart containerd
            ;;
        command)
            [ -n "$RESTART_COMMAND" ] || die "JSHIM_RESTART=command needs JSHIM_RESTART_COMMAND"
            say "restarting containerd: $RESTART_COMMAND"
            in_node /bin/sh -c "$RESTART_COMMAND"
            ;;
        signal)
            local proc p pid n=0
            proc=$(h /proc)
            [ -r "$proc/self/stat" ] || die "JSHIM_RESTART=signal: no procfs at $proc (mount the node's /proc; the pod needs hostPID)"
            if [ "$(readlink "/proc/$$/ns/pid")" != "$(readlink "$proc/$$/ns/pid" 2>/dev/null)" ]; then
                die "JSHIM_RESTART=signal: $proc is another PID namespace's (the pod needs hostPID: true)"
            fi
            for p in "$proc"/[0-9]*; do
                pid=${p##*/}
                [ "$(cat "$p/comm" 2>/dev/null)" = containerd ] || continue
                [ "$(config_of_cmdline "$p/cmdline" 2>/dev/null)" = "$CONFIG" ] || continue
                say "restarting containerd: SIG$RESTART_SIGNAL to pid $pid (its supervisor starts it again)"
                kill -s "$RESTART_SIGNAL" "$pid" && n=$((n + 1))
            done
            [ "$n" -gt 0 ] || say "warning: no containerd process with config $CONFIG found: restart it yourself"
            ;;
        *) die "JSHIM_RESTART must be auto, systemctl, signal, command or none, got $mode" ;;
    esac
}

# ---- install / uninstall -------------------------------------------------------------------------

copy_files() {
    local f root new old
    for f in bin/jrunc bin/$SHIM_NAME libexec/jshim/jshim-init; do
        [ -x "$DIST/$f" ] || die "$DIST/$f is missing: JSHIM_DIST must be a built dist/ (mvn -B package -DskipTests)"
    done
    ls "$DIST"/lib/jshim/*.jar >/dev/null 2>&1 || die "no jars in $DIST/lib/jshim"
    root=$(h "$PREFIX")
    new=$root.new.$$
    old=$root.old.$$
    rm -rf "$new"
    install -d -m 0755 "$new/bin" "$new/lib/jshim" "$new/libexec/jshim"
    install -m 0755 "$DIST/bin/jrunc" "$DIST/bin/$SHIM_NAME" "$new/bin/"
    install -m 0755 "$DIST"/libexec/jshim/* "$new/libexec/jshim/"
    # not the AOT caches: they are tied to the JDK and the jars' paths, and are remade below
    install -m 0644 "$DIST"/lib/jshim/*.jar "$new/lib/jshim/"
    if [ -d "$DIST/lib/jshim/native" ]; then
        cp -a "$DIST/lib/jshim/native" "$new/lib/jshim/"
    fi
    if [ -f "$ARTIFACTS/pause.tar" ]; then
        install -D -m 0644 "$ARTIFACTS/pause.tar" "$new/share/jshim/pause.tar"
    fi
    if [ -x "$JDK/bin/java" ]; then
        cp -a "$JDK" "$new/jdk"
        install -d -m 0755 "$new/shim"
        cat > "$new/shim/$SHIM_NAME" <<EOF
#!/bin/sh
# Written by jshim's install-node.sh: the shim with the Java runtime installed next to it.
JSHIM_JAVA_HOME=\${JSHIM_JAVA_HOME:-$PREFIX/jdk}
export JSHIM_JAVA_HOME
exec $PREFIX/bin/$SHIM_NAME "\$@"
EOF
        chmod 0755 "$new/shim/$SHIM_NAME"
    fi
    # Replace the prefix by renames: running shim daemons keep their (unlinked) jars.
    if [ -e "$root" ]; then
        mv "$root" "$old"
    fi
    install -d -m 0755 "$(dirname "$root")"
    mv "$new" "$root"
    rm -rf "$old"
    say "installed $DIST under $PREFIX$([ -x "$JDK/bin/java" ] && echo " with the Java runtime $JDK as $PREFIX/jdk")"
}

make_aot() {
    [ "$AOT" != 0 ] || return 0
    if ! can_chroot; then
        [ "$AOT" = 1 ] && die "JSHIM_AOT=1: cannot run programs in the node's root ($NODE_ROOT)"
        say "note: AOT caches not made (cannot run programs in $NODE_ROOT); the shim starts slower without them"
        return 0
    fi
    local env=()
    [ -x "$(h "$PREFIX/jdk/bin/java")" ] && env=(env "JSHIM_JAVA_HOME=$PREFIX/jdk")
    in_node "${env[@]}" "$PREFIX/bin/$SHIM_NAME" aot-training >/dev/null 2>&1 \
        || say "warning: the shim's AOT training failed; the daemon starts slower without it"
    in_node "${env[@]}" env JSHIM_AOT_TRAINING=1 "$PREFIX/bin/jrunc" >/dev/null 2>&1 \
        || say "warning: jrunc's AOT training failed; jrunc starts slower without it"
}

link_shim() {
    [ "$LINK" = 1 ] || return 0
    local target link
    target=$(shim_for_config)
    link=$(h /usr/local/bin/$SHIM_NAME)
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        say "warning: $link exists and is not a link: left as it is"
        return 0
    fi
    install -d -m 0755 "$(dirname "$link")"
    ln -sfn "$target" "$link"
    echo "link=/usr/local/bin/$SHIM_NAME" >> "$STATE_TMP"
}

do_install() {
    local version f
    version=$(detect_version)
    f=$(h "$CONFIG")
    STATE_TMP=$(mktemp)
    trap 'rm -f "$STATE_TMP"' EXIT

    copy_files
    make_aot
    link_shim

    install -d -m 0755 "$(dirname "$f")"
    if ! has_content "$f"; then
        # no config, or only comments: a version line is needed for the tables below
        if [ -f "$f" ]; then
            { echo "version = $version  $MARK"; cat "$f"; } | write_if_changed "$f" >/dev/null
        else
            printf '# Created by jshim install-node.sh (uninstall deletes it if nothing else was added)\nversion = %s  %s\n' \
                "$version" "$MARK" > "$f"
            echo "created_config=1" >> "$STATE_TMP"
        fi
        CHANGED=1
    elif grep -q "^created_config=1$" <<< "$PREV_STATE"; then
        echo "created_config=1" >> "$STATE_TMP"
    fi
    case "$version" in
        2) configure_v2 ;;
        3) configure_v3 ;;
    esac
    {
        echo "# jshim install-node.sh: what install did, read by uninstall"
        echo "config=$CONFIG"
        echo "config_version=$version"
        echo "dropin=$([ "$version" = 3 ] && echo "$DROPIN")"
        echo "handler=$HANDLER"
        sort -u "$STATE_TMP"
    } > "$STATE_FILE"
    if [ "$CHANGED" = 1 ]; then
        restart_containerd
    else
        say "containerd config unchanged: no restart"
    fi
    say "done: pods with runtimeClassName: $HANDLER (deploy/kubernetes/runtimeclass.yaml) run on jshim"
}

state_get() {
    sed -n "s/^$1=//p" "$STATE_FILE" 2>/dev/null | tail -1
}

do_uninstall() {
    local f config dropin link
    config=$(state_get config); config=${config:-$CONFIG}
    dropin=$(state_get dropin); dropin=${dropin:-$DROPIN}
    f=$(h "$config")
    if [ -f "$f" ]; then
        local r
        r=$(strip_ours "$f" all | remove_from_imports /dev/stdin "$dropin" | write_if_changed "$f")
        [ "$r" = changed ] && CHANGED=1
        if [ "$(state_get created_config)" = 1 ] && ! grep -qvE '^[[:space:]]*(#.*)?$' "$f"; then
            rm -f "$f"
            CHANGED=1
            say "removed $config (created by install, nothing else in it)"
        else
            say "containerd config $config: $r"
        fi
    fi
    if [ -f "$(h "$dropin")" ] && grep -q "Written by jshim's install-node.sh" "$(h "$dropin")"; then
        rm -f "$(h "$dropin")"
        CHANGED=1
        say "removed $dropin"
        if [ "$(state_get created_dropin_dir)" = 1 ]; then
            rmdir "$(dirname "$(h "$dropin")")" 2>/dev/null || true
        fi
    fi
    link=$(h /usr/local/bin/$SHIM_NAME)
    if [ -L "$link" ]; then
        case "$(readlink "$link")" in
            "$PREFIX"/*) rm -f "$link"; say "removed /usr/local/bin/$SHIM_NAME" ;;
        esac
    fi
    if [ -f "$STATE_FILE" ]; then
        rm -rf "$(h "$PREFIX")"
        say "removed $PREFIX"
    elif [ -e "$(h "$PREFIX")" ]; then
        say "warning: $PREFIX has no install-state: not installed by install-node.sh, left as it is"
    fi
    if [ "$CHANGED" = 1 ]; then
        restart_containerd
    else
        say "containerd config unchanged: no restart"
    fi
}

do_print_config() {
    local version
    version=$(detect_version)
    if [ "$version" = 2 ]; then
        local with_runc=1
        if [ -f "$(h "$CONFIG")" ] && declares_any_runtime "$(h "$CONFIG")"; then with_runc=0; fi
        echo "# appended to $CONFIG:"
        v2_block "$with_runc" "$(shim_for_config)"
    else
        echo "# $DROPIN, listed under imports in $CONFIG:"
        v3_dropin "$(shim_for_config)"
    fi
}

case "$ACTION" in
    install)
        # what an earlier install recorded (a config it created, an imports entry it added) carries over
        PREV_STATE=$(cat "$STATE_FILE" 2>/dev/null || true)
        do_install
        ;;
    uninstall) do_uninstall ;;
    print-config) do_print_config ;;
    -h|--help|help) usage 0 ;;
    *) say "unknown action $ACTION"; usage 2 ;;
esac
