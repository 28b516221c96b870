# Sourced (not executed) by the deploy/ scripts: points JAVA_HOME and PATH at a Java 25+ JDK.
# Order, as the jrunc launchers do it: JSHIM_JAVA_HOME, then JAVA_HOME if it is Java 25+,
# then /usr/lib/jvm/temurin-25*. Returns non-zero (without exiting the caller's shell) if none.

_jshim_java_ok() {
    # $1: a JDK home; true if $1/bin/java exists and its release file says 25 or later
    [ -x "$1/bin/java" ] || return 1
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
    [ -n "$v" ] && [ "$v" -ge 25 ]
}

_jshim_pick_java() {
    local c
    for c in "${JSHIM_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2[5-9]*; do
        if [ -n "$c" ] && _jshim_java_ok "$c"; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

if _jshim_java_home=$(_jshim_pick_java); then
    export JAVA_HOME="$_jshim_java_home"
    case ":$PATH:" in
        *":$JAVA_HOME/bin:"*) ;;
        *) export PATH="$JAVA_HOME/bin:$PATH" ;;
    esac
    unset _jshim_java_home
else
    unset _jshim_java_home
    echo "jshim: Java 25 or later is required (looked at \$JSHIM_JAVA_HOME, \$JAVA_HOME and /usr/lib/jvm/temurin-25*)" >&2
    false
fi
