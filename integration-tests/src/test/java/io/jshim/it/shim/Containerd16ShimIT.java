package io.jshim.it.shim;

/** The shim under Debian 12's containerd 1.6.20 (config version 2, ttrpc 1.1, typeurl v1). */
class Containerd16ShimIT extends ShimContainerdTests {
    @Override
    String containerdVersion() {
        return "1";
    }
}
