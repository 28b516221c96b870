package io.jshim.it.cri;

/** As {@link Cri16IT}, with jshim grouping "pod" (runc's rule): one shim daemon per pod. */
class Cri16PerPodIT extends CriPodTests {
    @Override
    String containerdVersion() {
        return "1";
    }

    @Override
    String grouping() {
        return "pod";
    }
}
