#!/bin/bash
# ttrpc micro-benchmark: requests/s and p50/p99 latency of a small unary call against our own server on
# a loopback unix socket, over 1 and 8 connections. Not a test; bounded in time and request count.
# usage: shim-server/bench.sh [seconds-per-scenario]   (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

# the module builds on its own: the parent pom and jshim-proto come from the local repository
mvn -q -B -Dstyle.color=never -N -f "$here/../pom.xml" install
mvn -q -B -Dstyle.color=never -f "$here/../proto/pom.xml" install -DskipTests
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" test-compile dependency:build-classpath \
    -Dmdep.outputFile="$here/target/bench.classpath" -Dmdep.includeScope=test

exec java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Xmx512m -cp "$here/target/classes:$here/target/test-classes:$(cat "$here/target/bench.classpath")" \
    io.jshim.ttrpc.bench.TtrpcBench "$@"
