package dev.berth.k3s;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Configuration of the K3s provider, read from the flat map a {@link dev.berth.spi.ProviderFactory} gets.
 * Every key is optional except the connection ({@code kubeconfig}, or {@code server} with {@code token}).
 * {@link #toString()} never shows the token.
 *
 * @param kubeconfig            path of a kubeconfig file, or null when {@code server}/{@code token} are given
 * @param server                API server URL ("https://k3s.example.com:6443"), used when kubeconfig is null
 * @param token                 bearer token for {@code server}
 * @param insecureSkipTlsVerify skip verifying the server certificate (test servers only)
 * @param namespacePrefix       prefix of each instance's namespace ("berth-" + instance id)
 * @param fieldManager          server-side-apply field manager of every write
 * @param storageClass          storage class of the PVCs ({@code local-path} on K3s)
 * @param ingressClass          ingress class of the HTTP component's Ingress ({@code traefik} on K3s)
 * @param tls                   add {@code spec.tls} (secret {@code <slug>-tls}) and Traefik's websecure annotations
 * @param clusterIssuer         cert-manager ClusterIssuer that issues the TLS certificate, or null for none
 * @param ingressNamespace      namespace of the ingress controller pods allowed to reach the HTTP component
 * @param ingressPodLabels      labels of the ingress controller pods
 * @param dnsNamespace          namespace of the cluster DNS pods
 * @param dnsPodLabels          labels of the cluster DNS pods
 * @param internetEgress        let instances open connections to public addresses (webhooks, updates); private
 *                              ranges stay denied
 * @param podSecurity           Pod Security Admission level enforced on instance namespaces (warn/audit are
 *                              always {@code restricted})
 * @param nonRootImages         image name prefix → uid for images known to run as a non-root user; those
 *                              containers get {@code runAsNonRoot} with that uid and drop all capabilities
 * @param nodeClassLabels       keys of Berth node labels copied into the pods' node selector (node classes)
 * @param pinToNode             pin pods to the Berth node's target with {@code kubernetes.io/hostname}; false
 *                              lets the cluster scheduler place them
 * @param progressDeadline      Deployment {@code progressDeadlineSeconds}: after it a rollout counts as failed
 * @param rolloutTimeout        how long resume and upgrade wait for a rollout
 * @param terminateTimeout      how long terminate waits for the namespace to disappear
 * @param archiverImage         image of the backup/restore Job's container; needs {@code sh}, {@code tar},
 *                              {@code head}, {@code cp}, {@code rm} and {@code sleep} (busybox has them)
 * @param archiverTimeout       how long one backup or restore may take, Job start included; also the Job pod's
 *                              {@code activeDeadlineSeconds}
 */
public record K3sSettings(String kubeconfig, String server, String token, boolean insecureSkipTlsVerify,
                          String namespacePrefix, String fieldManager, String storageClass, String ingressClass,
                          boolean tls, String clusterIssuer, String ingressNamespace, Map<String, String> ingressPodLabels,
                          String dnsNamespace, Map<String, String> dnsPodLabels, boolean internetEgress,
                          String podSecurity, Map<String, Long> nonRootImages, List<String> nodeClassLabels,
                          boolean pinToNode, Duration progressDeadline, Duration rolloutTimeout,
                          Duration terminateTimeout, String archiverImage, Duration archiverTimeout) {

    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([a-z0-9-]{0,20})?");
    /** Busybox from Docker Hub, pinned: the archiver needs nothing but its shell and tar. */
    public static final String DEFAULT_ARCHIVER_IMAGE = "docker.io/library/busybox:1.36.1";
    private static final Set<String> LEVELS = Set.of("privileged", "baseline", "restricted");

    public K3sSettings {
        if (kubeconfig == null && (server == null || token == null)) {
            throw new InvalidSpecException("kubeconfig", "give a kubeconfig path, or server and token");
        }
        if (!PREFIX.matcher(namespacePrefix).matches()) {
            throw new InvalidSpecException("namespacePrefix", "must be up to 21 lower-case letters, digits or dashes");
        }
        if (archiverImage == null || archiverImage.isBlank()) {
            throw new InvalidSpecException("archiverImage", "must name an image");
        }
        if (!LEVELS.contains(podSecurity)) {
            throw new InvalidSpecException("podSecurity", "must be one of " + LEVELS);
        }
        ingressPodLabels = Map.copyOf(ingressPodLabels);
        dnsPodLabels = Map.copyOf(dnsPodLabels);
        nonRootImages = Map.copyOf(nonRootImages);
        nodeClassLabels = List.copyOf(nodeClassLabels);
    }

    /** Defaults for a K3s cluster reached through {@code kubeconfig}. */
    public static K3sSettings defaults(String kubeconfig) {
        return from(Map.of("kubeconfig", kubeconfig));
    }

    /**
     * Reads the settings from configuration keys named like the record components; lists and maps are
     * comma-separated ({@code ingressPodLabels=app.kubernetes.io/name=traefik}, {@code nonRootImages=n8nio/n8n=1000}),
     * durations ISO-8601 ({@code PT5M}).
     *
     * @throws InvalidSpecException naming the key that is malformed
     */
    public static K3sSettings from(Map<String, String> config) {
        Map<String, String> c = config == null ? Map.of() : config;
        return new K3sSettings(c.get("kubeconfig"), c.get("server"), c.get("token"),
                bool(c, "insecureSkipTlsVerify", false),
                c.getOrDefault("namespacePrefix", "berth-"),
                c.getOrDefault("fieldManager", "berth"),
                c.getOrDefault("storageClass", "local-path"),
                c.getOrDefault("ingressClass", "traefik"),
                bool(c, "tls", true),
                c.get("clusterIssuer"),
                c.getOrDefault("ingressNamespace", "kube-system"),
                pairs(c, "ingressPodLabels", "app.kubernetes.io/name=traefik", Function.identity()),
                c.getOrDefault("dnsNamespace", "kube-system"),
                pairs(c, "dnsPodLabels", "k8s-app=kube-dns", Function.identity()),
                bool(c, "internetEgress", true),
                c.getOrDefault("podSecurity", "baseline"),
                pairs(c, "nonRootImages", "n8nio/n8n=1000", v -> number("nonRootImages", v)),
                list(c.getOrDefault("nodeClassLabels", "berth.dev/node-class")),
                bool(c, "pinToNode", false),
                duration(c, "progressDeadline", Duration.ofMinutes(10)),
                duration(c, "rolloutTimeout", Duration.ofMinutes(10)),
                duration(c, "terminateTimeout", Duration.ofMinutes(5)),
                c.getOrDefault("archiverImage", DEFAULT_ARCHIVER_IMAGE),
                duration(c, "archiverTimeout", Duration.ofMinutes(30)));
    }

    @Override
    public String toString() {
        return "K3sSettings[kubeconfig=" + kubeconfig + ", server=" + server + ", token=" + (token == null ? null : "****")
                + ", namespacePrefix=" + namespacePrefix + ", storageClass=" + storageClass + ", ingressClass=" + ingressClass
                + ", tls=" + tls + ", clusterIssuer=" + clusterIssuer + ", podSecurity=" + podSecurity + ", pinToNode=" + pinToNode + ", archiverImage=" + archiverImage + "]";
    }

    private static boolean bool(Map<String, String> c, String key, boolean fallback) {
        String v = c.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new InvalidSpecException(key, "must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static Duration duration(Map<String, String> c, String key, Duration fallback) {
        String v = c.get(key);
        try {
            Duration d = v == null ? fallback : Duration.parse(v);
            if (d.isNegative() || d.isZero()) {
                throw new InvalidSpecException(key, "must be positive");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidSpecException(key, "must be an ISO-8601 duration such as PT5M");
        }
    }

    private static long number(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(key, "'" + v + "' is not a number");
        }
    }

    private static List<String> list(String v) {
        return v.isBlank() ? List.of() : List.of(v.split("\\s*,\\s*"));
    }

    private static <V> Map<String, V> pairs(Map<String, String> c, String key, String fallback, Function<String, V> value) {
        Map<String, V> out = new LinkedHashMap<>();
        for (String item : list(c.getOrDefault(key, fallback))) {
            int eq = item.lastIndexOf('=');
            if (eq <= 0) {
                throw new InvalidSpecException(key, "'" + item + "' is not key=value");
            }
            out.put(item.substring(0, eq), value.apply(item.substring(eq + 1)));
        }
        return out;
    }
}
