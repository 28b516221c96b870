package io.jshim.it.shim;

/** {@link ShimAsRuncTests} under containerd 1.6 (Debian 12). */
class Containerd16ShimAsRuncIT extends ShimAsRuncTests {
    @Override
    String containerdVersion() {
        return "1";
    }
}
