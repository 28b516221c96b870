package io.jshim.it.cri;

/** Pods through the CRI plugin of a containerd 2.x from Debian unstable (config version 3). */
class Cri2IT extends CriPodTests {
    @Override
    String containerdVersion() {
        return "2";
    }
}
