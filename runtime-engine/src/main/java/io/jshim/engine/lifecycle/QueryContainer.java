package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** {@code state} and {@code list}: read containers and derive their status. */
public final class QueryContainer {
    private final StateStore store;
    private final Cgroups cgroups;
    private final StatusProbe probe;

    public QueryContainer(StateStore store, Cgroups cgroups) {
        this.store = store;
        this.cgroups = cgroups;
        this.probe = new StatusProbe(store);
    }

    public ContainerView view(String id) throws EngineException {
        if (!StateStore.namesContainerDir(id)) {
            throw EngineException.notFound();
        }
        ContainerState s = store.load(id);
        return new ContainerView(s, probe.status(s, cgroups.of(s)));
    }

    /** Every container under the root, in id order; ones that fail to load go to {@code onError}. */
    public List<ContainerView> list(BiConsumer<String, EngineException> onError) throws EngineException {
        List<ContainerView> out = new ArrayList<>();
        for (String id : store.ids()) {
            try {
                out.add(view(id));
            } catch (EngineException e) {
                onError.accept(id, e);
            }
        }
        return out;
    }
}
