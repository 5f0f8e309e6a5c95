package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.Berth;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.examples.server.Runtimes;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.error.BerthException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Map;
import java.util.regex.Pattern;

/** Nodes (admin only) and the capacity check for a plan (admin and portal). */
public final class NodeRoutes implements Routes {

    private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

    /** Body of POST /nodes: a node to register, or to update when the id exists. */
    public record RegisterNode(String id, String providerKind, String target, Map<String, String> labels, Capacity capacity,
                               Overcommit overcommit, Double reservedFraction, String publicAddress) { }

    /**
     * A node with its usage.
     *
     * @param node          the node
     * @param allocatable   what placement may allocate (capacity × overcommit less the reserve)
     * @param allocated     what its live instances take, as placement counts it
     * @param instanceCount its live instances
     * @param runtime       what the runtime itself reports (capacity and use), or null when it cannot be asked
     * @param runtimeError  why the runtime could not be asked, or null
     */
    public record NodeView(Node node, Capacity allocatable, Capacity allocated, int instanceCount, NodeCapacity runtime,
                           String runtimeError) { }

    private final Berth berth;
    private final Runtimes runtimes;

    @Inject
    public NodeRoutes(Berth berth, Runtimes runtimes) {
        this.berth = berth;
        this.runtimes = runtimes;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/api/v1/nodes", this::register, Scope.ADMIN);
        r.get("/api/v1/nodes", ctx -> ctx.json(berth.nodes().list().stream().map(n -> view(n, false)).toList()), Scope.ADMIN);
        r.get("/api/v1/nodes/{nodeId}", ctx -> ctx.json(view(berth.nodes().get(Validate.labelParam(ctx, "nodeId")), true)), Scope.ADMIN);
        r.post("/api/v1/nodes/{nodeId}/drain",
                ctx -> ctx.json(view(berth.nodes().setStatus(Validate.labelParam(ctx, "nodeId"), NodeStatus.DRAINING), false)), Scope.ADMIN);
        r.delete("/api/v1/nodes/{nodeId}", ctx -> {
            String id = Validate.labelParam(ctx, "nodeId");
            berth.nodes().get(id);
            berth.nodes().deregister(id);
            ctx.status(204);
        }, Scope.ADMIN);
        r.get("/api/v1/capacity", ctx -> {
            String planId = ctx.queryParam("planId");
            if (planId == null || !Validate.DNS_LABEL.matcher(planId).matches()) {
                throw ApiProblem.badRequest("planId", "query parameter planId (a plan id) is required");
            }
            String tenantId = ctx.queryParam("tenantId");
            if (tenantId != null && !tenantId.matches("[0-9a-f-]{36}")) throw ApiProblem.badRequest("tenantId", "must be a tenant id");
            ctx.json(berth.capacity().check(planId, tenantId));
        }, Scope.ADMIN, Scope.PORTAL);
    }

    private void register(Context ctx) {
        RegisterNode b = Json.read(ctx, RegisterNode.class);
        String id = Validate.label("id", b.id());
        String kind = Validate.label("providerKind", b.providerKind());
        if (!runtimes.byKind().containsKey(kind)) {
            throw ApiProblem.invalid("providerKind", "this server has no '" + kind + "' provider; configured: " + runtimes.byKind().keySet());
        }
        if (b.target() != null && !TARGET.matcher(b.target()).matches()) {
            throw ApiProblem.invalid("target", "must be 1-253 characters of letters, digits, '.', '_', ':' or '-'");
        }
        if (b.capacity() == null) throw ApiProblem.invalid("capacity", "is required");
        Node node = new Node(id, kind, b.target(), Validate.labels("labels", b.labels()), b.capacity(), b.overcommit(),
                b.reservedFraction() == null ? 0 : b.reservedFraction(), Validate.hostOrAddress("publicAddress", b.publicAddress()),
                NodeStatus.ONLINE);
        boolean existed = berth.nodes().find(id).isPresent();
        Node saved = berth.nodes().register(node);
        ctx.status(existed ? 200 : 201).header("Location", "/api/v1/nodes/" + id).json(view(saved, false));
    }

    private NodeView view(Node node, boolean askRuntime) {
        NodeCandidate usage = berth.capacity().usage(node.id());
        NodeCapacity runtime = null;
        String error = null;
        if (askRuntime) {
            RuntimeProvider provider = runtimes.byKind().get(node.providerKind());
            if (provider == null) {
                error = "no provider of kind " + node.providerKind() + " in this server";
            } else {
                try {
                    runtime = provider.nodes().stream().filter(c -> c.target().equals(node.target())).findFirst().orElse(null);
                    if (runtime == null) error = "the runtime does not report target " + node.target();
                } catch (BerthException e) {
                    error = e.getMessage();
                }
            }
        }
        return new NodeView(node, node.allocatable(), usage.allocated(), usage.instanceCount(), runtime, error);
    }
}
