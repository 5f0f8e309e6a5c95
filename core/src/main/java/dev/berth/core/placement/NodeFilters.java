package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
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

    /** Whether {@code candidate} can take {@code request}: the same rules as {@link #rejection}, without a message. */
    public static boolean accepts(PlacementRequest request, NodeCandidate candidate) {
        Node node = candidate.node();
        if (!eligible(node, request.providerKind(), request.isolation() == Isolation.DEDICATED, request.requiredLabels())) {
            return false;
        }
        Capacity free = candidate.free();
        Capacity demand = request.demand();
        return demand.cpuMillis() <= free.cpuMillis() && demand.memoryBytes() <= free.memoryBytes()
                && demand.diskBytes() <= free.diskBytes();
    }

    /** The non-capacity rules (status, provider, dedicated label, required labels), allocation-free. */
    static boolean eligible(Node node, String providerKind, boolean dedicated, Map<String, String> requiredLabels) {
        if (node.status() != NodeStatus.ONLINE) {
            return false;
        }
        if (providerKind != null && !providerKind.equals(node.providerKind())) {
            return false;
        }
        if (dedicated && !"true".equals(node.labels().get(DEDICATED_LABEL))) {
            return false;
        }
        if (!requiredLabels.isEmpty()) {
            Map<String, String> labels = node.labels();
            for (Map.Entry<String, String> label : requiredLabels.entrySet()) {
                if (!label.getValue().equals(labels.get(label.getKey()))) {
                    return false;
                }
            }
        }
        return true;
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
