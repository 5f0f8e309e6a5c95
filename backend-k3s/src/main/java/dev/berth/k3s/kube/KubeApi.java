package dev.berth.k3s.kube;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.NotFoundException;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.*;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.kubernetes.client.util.generic.options.ListOptions;
import io.kubernetes.client.util.generic.options.PatchOptions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Typed access to the object kinds Berth uses, with writes by server-side apply under one field manager and
 * every failure mapped to a Berth exception ({@link KubeErrors}). Thread-safe (the underlying client is).
 */
public final class KubeApi {

    private record Kind(String name, GenericKubernetesApi<?, ?> api, boolean namespaced) { }

    private final ApiClient client;
    private final String fieldManager;
    private final Map<Class<?>, Kind> kinds = new HashMap<>();

    /** Access through {@code client}, writing as {@code fieldManager}. */
    public KubeApi(ApiClient client, String fieldManager) {
        this.client = client;
        this.fieldManager = fieldManager;
        register(V1Namespace.class, V1NamespaceList.class, "", "v1", "namespaces", false);
        register(V1Node.class, V1NodeList.class, "", "v1", "nodes", false);
        register(V1ResourceQuota.class, V1ResourceQuotaList.class, "", "v1", "resourcequotas", true);
        register(V1LimitRange.class, V1LimitRangeList.class, "", "v1", "limitranges", true);
        register(V1ServiceAccount.class, V1ServiceAccountList.class, "", "v1", "serviceaccounts", true);
        register(V1Secret.class, V1SecretList.class, "", "v1", "secrets", true);
        register(V1PersistentVolumeClaim.class, V1PersistentVolumeClaimList.class, "", "v1", "persistentvolumeclaims", true);
        register(V1Service.class, V1ServiceList.class, "", "v1", "services", true);
        register(V1Pod.class, V1PodList.class, "", "v1", "pods", true);
        register(V1NetworkPolicy.class, V1NetworkPolicyList.class, "networking.k8s.io", "v1", "networkpolicies", true);
        register(V1Ingress.class, V1IngressList.class, "networking.k8s.io", "v1", "ingresses", true);
        register(V1Deployment.class, V1DeploymentList.class, "apps", "v1", "deployments", true);
        register(V1Job.class, V1JobList.class, "batch", "v1", "jobs", true);
    }

    private <T extends KubernetesObject, L extends KubernetesListObject> void register(Class<T> type, Class<L> list, String group,
                                                                                          String version, String plural,
                                                                                          boolean namespaced) {
        kinds.put(type, new Kind(type.getSimpleName().substring(2), new GenericKubernetesApi<>(type, list, group, version, plural, client),
                namespaced));
    }

    /** The client, for callers that need a raw API (version, discovery). */
    public ApiClient client() {
        return client;
    }

    /**
     * Server-side apply of {@code desired} (apiVersion, kind, name and, for namespaced kinds, namespace set) with
     * Berth's field manager, forcing ownership of the fields it sets: Berth's desired state wins over manual
     * edits, which the reconciler reports as drift. Applying an unchanged object is a no-op on the server.
     */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> T apply(T desired) {
        Kind kind = kind(desired.getClass());
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        V1Patch body = new V1Patch(applyBody(desired));
        PatchOptions options = new PatchOptions().fieldManager(fieldManager).force(true);
        GenericKubernetesApi<T, ?> api = (GenericKubernetesApi<T, ?>) kind.api();
        return call(kind, ns, name, () -> kind.namespaced()
                ? api.patch(ns, name, V1Patch.PATCH_FORMAT_APPLY_YAML, body, options)
                : api.patch(name, V1Patch.PATCH_FORMAT_APPLY_YAML, body, options));
    }

    /**
     * The JSON body of an apply (JSON is YAML). Empty maps and lists are left out: the generated models start
     * with empty collections, and applying an empty list would claim that whole list for Berth.
     */
    public static String applyBody(KubernetesObject desired) {
        JsonElement tree = JSON.getGson().toJsonTree(desired);
        return prune(tree).toString();
    }

    private static JsonElement prune(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject out = new JsonObject();
            for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
                JsonElement v = prune(entry.getValue());
                if (!isEmpty(v) || entry.getKey().equals("podSelector")) {   // podSelector {} means "all pods"
                    out.add(entry.getKey(), v);
                }
            }
            return out;
        }
        if (e.isJsonArray()) {
            JsonArray out = new JsonArray();
            e.getAsJsonArray().forEach(item -> out.add(prune(item)));
            return out;
        }
        return e;
    }

    private static boolean isEmpty(JsonElement v) {
        return v.isJsonNull() || (v.isJsonObject() && v.getAsJsonObject().isEmpty()) || (v.isJsonArray() && v.getAsJsonArray().isEmpty());
    }

    /** A JSON merge patch (no resourceVersion, so it never races with controllers). */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> T mergePatch(Class<T> type, String ns, String name, String json) {
        Kind kind = kind(type);
        GenericKubernetesApi<T, ?> api = (GenericKubernetesApi<T, ?>) kind.api();
        PatchOptions options = new PatchOptions().fieldManager(fieldManager);
        V1Patch patch = new V1Patch(json);
        return call(kind, ns, name, () -> kind.namespaced()
                ? api.patch(ns, name, V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch, options)
                : api.patch(name, V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch, options));
    }

    /** The object, or empty when it does not exist. */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> Optional<T> get(Class<T> type, String ns, String name) {
        Kind kind = kind(type);
        GenericKubernetesApi<T, ?> api = (GenericKubernetesApi<T, ?>) kind.api();
        try {
            return Optional.of(call(kind, ns, name, () -> kind.namespaced() ? api.get(ns, name) : api.get(name)));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Objects matching a label selector, in one namespace or (ns null) in all. */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> List<T> list(Class<T> type, String ns, String labelSelector) {
        return list(type, ns, new ListOptions().labelSelector(labelSelector));
    }

    /** Objects matching the options, in one namespace or (ns null) in all. */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> List<T> list(Class<T> type, String ns, ListOptions options) {
        Kind kind = kind(type);
        GenericKubernetesApi<T, KubernetesListObject> api = (GenericKubernetesApi<T, KubernetesListObject>) kind.api();
        KubernetesListObject list = call(kind, ns, "(list)", () -> ns == null ? api.list(options) : api.list(ns, options));
        return (List<T>) list.getItems();
    }

    /** Deletes the object; true when it existed. */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> boolean delete(Class<T> type, String ns, String name) {
        Kind kind = kind(type);
        GenericKubernetesApi<T, ?> api = (GenericKubernetesApi<T, ?>) kind.api();
        DeleteOptions options = new DeleteOptions();
        options.setPropagationPolicy("Background");
        try {
            call(kind, ns, name, () -> kind.namespaced() ? api.delete(ns, name, options) : api.delete(name, options));
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Replaces the status subresource (tests use it to stand in for a kubelet). */
    @SuppressWarnings("unchecked")
    public <T extends KubernetesObject> T updateStatus(T object, java.util.function.Function<T, Object> status) {
        Kind kind = kind(object.getClass());
        GenericKubernetesApi<T, ?> api = (GenericKubernetesApi<T, ?>) kind.api();
        return call(kind, object.getMetadata().getNamespace(), object.getMetadata().getName(), () -> api.updateStatus(object, status));
    }

    private Kind kind(Class<?> type) {
        Kind kind = kinds.get(type);
        if (kind == null) {
            throw new IllegalArgumentException("kind not registered: " + type.getSimpleName());
        }
        return kind;
    }

    private static <R extends io.kubernetes.client.common.KubernetesType> R call(Kind kind, String ns, String name,
                                                                                 Supplier<KubernetesApiResponse<R>> call) {
        String where = ns == null ? name : ns + "/" + name;
        KubernetesApiResponse<R> response;
        try {
            response = call.get();
        } catch (BerthException e) {
            throw e;
        } catch (RuntimeException e) {   // GenericKubernetesApi wraps transport failures in runtime exceptions
            throw KubeErrors.transport(kind.name(), where, e);
        }
        if (!response.isSuccess()) {
            throw KubeErrors.map(response.getHttpStatusCode(), response.getStatus(), kind.name(), where);
        }
        return response.getObject();
    }
}
