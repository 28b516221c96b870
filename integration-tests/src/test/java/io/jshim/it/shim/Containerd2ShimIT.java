package io.jshim.it.shim;

/** The shim under a containerd 2.x from Debian unstable (config version 3, ttrpc 1.2, typeurl v2). */
class Containerd2ShimIT extends ShimContainerdTests {
    @Override
    String containerdVersion() {
        return "2";
    }
}
