package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.plan.Isolation;

import java.util.Map;
import java.util.Optional;

/** The hard constraints every strategy applies before scoring: status, provider, labels, capacity. */
public final class NodeFilters {

    /** Label a node carries to accept dedicated plans. */
    public static final String DEDICATED_LABEL = "dedicated";

    private NodeFilters() {
    }

    /** Why {@code candidate} cannot take {@code request}, or empty when it can. */
    public static Optional<String> rejection(PlacementRequest request, NodeCandidate candidate) {
        var node = candidate.node();
        if (node.status() != NodeStatus.ONLINE) {
            return Optional.of("node is " + node.status());
        }
        if (request.providerKind() != null && !request.providerKind().equals(node.providerKind())) {
            return Optional.of("provider " + node.providerKind() + " does not run this app");
        }
        if (request.isolation() == Isolation.DEDICATED && !"true".equals(node.labels().get(DEDICATED_LABEL))) {
            return Optional.of("dedicated plan needs label dedicated=true");
        }
        for (Map.Entry<String, String> label : request.requiredLabels().entrySet()) {
            if (!label.getValue().equals(node.labels().get(label.getKey()))) {
                return Optional.of("label " + label.getKey() + "=" + label.getValue() + " missing");
            }
        }
        Capacity free = candidate.free();
        Capacity demand = request.demand();
        if (demand.cpuMillis() > free.cpuMillis()) {
            return Optional.of("cpu: needs " + demand.cpuMillis() + "m, " + free.cpuMillis() + "m free");
        }
        if (demand.memoryBytes() > free.memoryBytes()) {
            return Optional.of("memory: needs " + demand.memoryBytes() + " B, " + free.memoryBytes() + " B free");
        }
        if (demand.diskBytes() > free.diskBytes()) {
            return Optional.of("disk: needs " + demand.diskBytes() + " B, " + free.diskBytes() + " B free");
        }
        return Optional.empty();
    }
}
