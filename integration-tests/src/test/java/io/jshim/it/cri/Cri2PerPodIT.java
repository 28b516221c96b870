package io.jshim.it.cri;

/** As {@link Cri2IT}, with jshim grouping "pod" (runc's rule): one shim daemon per pod. */
class Cri2PerPodIT extends CriPodTests {
    @Override
    String containerdVersion() {
        return "2";
    }

    @Override
    String grouping() {
        return "pod";
    }
}
