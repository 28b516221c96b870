package io.jshim.it.shim;

/** {@link ShimAsRuncTests} under containerd 2.x (Debian unstable). */
class Containerd2ShimAsRuncIT extends ShimAsRuncTests {
    @Override
    String containerdVersion() {
        return "2";
    }
}
