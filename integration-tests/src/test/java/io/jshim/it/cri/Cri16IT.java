package io.jshim.it.cri;

/** Pods through the CRI plugin of Debian 12's containerd 1.6.20 (config version 2). */
class Cri16IT extends CriPodTests {
    @Override
    String containerdVersion() {
        return "1";
    }
}
