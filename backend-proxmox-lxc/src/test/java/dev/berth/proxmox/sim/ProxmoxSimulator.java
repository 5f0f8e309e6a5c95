package dev.berth.proxmox.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful Proxmox VE API simulator: an HTTP(S) server on 127.0.0.1 that answers {@code /api2/json} like a
 * cluster of N nodes for everything the LXC provider uses. It is not a stub: containers, locks, tasks, backups
 * and tickets are real state, and requests are validated against the official API schema.
 *
 * <ul>
 *   <li><b>Wire format</b>: {@code {"data":…}} envelopes, the error text in {@code message} (Proxmox also puts
 *       it in the HTTP reason phrase; the JDK server cannot, so clients must read the body, as they should),
 *       {@code errors} maps on 400, an empty body on the proxy's 595/596, {@code Connection: close} after errors, 501 for unknown paths, bodies on
 *       GET/DELETE refused, booleans only {@code 0/1}.</li>
 *   <li><b>Auth</b>: API tokens ({@code PVEAPIToken=user@realm!id=secret}) and tickets
 *       ({@code PVEAuthCookie} + {@code CSRFPreventionToken} on writes), tickets expire, 401s are delayed.</li>
 *   <li><b>Tasks</b>: async calls return a UPID naming the node; the task is {@code running} for its
 *       {@link SimTimings duration}, then {@code stopped} with {@code OK} or the error text; status is only known
 *       on the task's node ({@code no such task} elsewhere).</li>
 *   <li><b>Containers</b>: create/restore/clone/config/start/shutdown/stop/migrate/resize/delete with the
 *       synchronous checks and the in-task failures of pve-container; {@code lock} values; a failed create
 *       removes its config. Each container has a real root file system (a directory) that backup, restore,
 *       clone and migrate carry, and a host key, so a test SSH server can stand in for its sshd.</li>
 *   <li><b>Cluster</b>: {@code /cluster/resources}, {@code nextid}, nodes that go offline (595 through the
 *       proxy, {@code offline} in the resource list), at most {@code workersPerNode} protected requests per
 *       node at once (596 after the proxy timeout).</li>
 *   <li><b>Faults</b>: {@link #faults()}.</li>
 * </ul>
 * Every request the schema rejects is also recorded in {@link #schemaViolations()}, so a test can fail if
 * the client under test ever sent one.
 */
public final class ProxmoxSimulator implements AutoCloseable {

    /** Storage holding container root file systems on every node (LVM-thin, not shared). */
    public static final String ROOTFS_STORAGE = "local-lvm";
    /** Storage holding templates (per node). */
    public static final String TEMPLATE_STORAGE = "local";
    /** Shared backup storage (NFS-like: the same content on every node). */
    public static final String BACKUP_STORAGE = "backup";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern NEW_VOLUME = Pattern.compile("^([a-z][a-z0-9\\-_.]*[a-z0-9]):(\\d+(\\.\\d+)?)$");
    private static final Pattern SIZE = Pattern.compile("^(\\+)?(\\d+(\\.\\d+)?)([KMGT])?$");
    private static final Set<String> INT_KEYS = Set.of("cores", "cpuunits", "memory", "swap", "unprivileged", "onboot",
            "template", "protection");
    private static final DateTimeFormatter DUMP_TIME = DateTimeFormatter.ofPattern("yyyy_MM_dd-HH_mm_ss").withZone(ZoneOffset.UTC);

    private final ApiSchema schema = ApiSchema.load();
    private final SimFaults faults = new SimFaults();
    private final SimTimings timings;
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private final Map<String, String> tokens;
    private final Map<String, String> users;
    private final Map<String, Map<String, String>> templates;
    private final Duration proxyTimeout;
    private final Duration unauthorizedDelay;
    private final Duration ticketLifetime;
    private final SSLContext tls;
    private final Path root;

    private final Object state = new Object();
    private final Map<Integer, Ct> cts = new TreeMap<>();                  // guarded by state
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, Backup> backups = new LinkedHashMap<>();      // guarded by state
    private final Map<String, Instant> tickets = new ConcurrentHashMap<>(); // ticket -> issued
    private final Map<String, String> csrfByTicket = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastDumpEnd = new HashMap<>();       // guarded by state
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requestLog = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger pids = new AtomicInteger(0x1000);
    private final AtomicInteger proxyTimeouts = new AtomicInteger();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger renewals = new AtomicInteger();
    private final AtomicInteger dhcp = new AtomicInteger(10);
    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "pve-sim-worker");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService httpThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pve-sim-http");
        t.setDaemon(true);
        return t;
    });
    private HttpServer server;

    private ProxmoxSimulator(Builder b) {
        b.nodes.forEach(n -> nodes.put(n.name, n));
        this.timings = b.timings;
        this.tokens = Map.copyOf(b.tokens);
        this.users = Map.copyOf(b.users);
        this.templates = Map.copyOf(b.templates);
        this.proxyTimeout = b.proxyTimeout;
        this.unauthorizedDelay = b.unauthorizedDelay;
        this.ticketLifetime = b.ticketLifetime;
        this.tls = b.tls;
        try {
            this.root = Files.createTempDirectory("pve-sim");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A builder with no nodes, fast timings and no credentials. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening on 127.0.0.1 and a free port. */
    public ProxmoxSimulator start() {
        try {
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (tls != null) {
                HttpsServer s = HttpsServer.create(addr, 64);
                s.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = s;
            } else {
                server = HttpServer.create(addr, 64);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(httpThreads);
        server.start();
        return this;
    }

    /** Base URL ({@code http(s)://127.0.0.1:port}). */
    public URI url() {
        return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The faults a test can arm. */
    public SimFaults faults() {
        return faults;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        workers.shutdownNow();
        httpThreads.shutdownNow();
        deleteTree(root);
    }

    // ------------------------------------------------------------------------------------------ test API

    /** Takes a node off line (its API answers 595 through the proxy) or back on line. */
    public void setOnline(String node, boolean online) {
        synchronized (state) {
            node(node).online = online;
        }
    }

    /** Invalidates every ticket issued so far (a ticket lifetime that ran out mid-run). */
    public void expireTickets() {
        tickets.clear();
    }

    /** Requests the schema rejected, as {@code METHOD path: {field=problem}}; empty for a well-behaved client. */
    public List<String> schemaViolations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** Every request received, as {@code METHOD /path}. */
    public List<String> requestLog() {
        synchronized (requestLog) {
            return List.copyOf(requestLog);
        }
    }

    /** A read-only view of one container. */
    public record CtView(int vmid, String node, boolean running, String lock, Map<String, String> config, String ip,
                         Path rootfs, KeyPair hostKey) { }

    /** All containers, by vmid. */
    public List<CtView> containers() {
        synchronized (state) {
            return cts.values().stream().map(Ct::view).toList();
        }
    }

    /** One container. */
    public Optional<CtView> container(int vmid) {
        synchronized (state) {
            return Optional.ofNullable(cts.get(vmid)).map(Ct::view);
        }
    }

    /** The container whose interface has {@code ip}. */
    public Optional<CtView> containerByIp(String ip) {
        synchronized (state) {
            return cts.values().stream().filter(c -> ip.equals(c.ip)).findFirst().map(Ct::view);
        }
    }

    /** Puts a foreign container (not created through the API by the client under test) on a node. */
    public void addForeignContainer(int vmid, String node, boolean running) {
        synchronized (state) {
            Ct ct = new Ct(vmid, node(node).name, dir(vmid));
            ct.config.put("hostname", "foreign-" + vmid);
            ct.config.put("memory", "512");
            ct.config.put("rootfs", ROOTFS_STORAGE + ":vm-" + vmid + "-disk-0,size=4G");
            ct.running = running;
            cts.put(vmid, ct);
        }
    }

    /**
     * Puts a template container (config {@code template: 1}) on a node, its root file system holding
     * {@code files}: what an operator prepares for clone-based provisioning.
     */
    public void addTemplateContainer(int vmid, String node, Map<String, String> files) {
        synchronized (state) {
            Ct ct = new Ct(vmid, node(node).name, dir(vmid));
            ct.config.put("hostname", "template-" + vmid);
            ct.config.put("cores", "1");
            ct.config.put("memory", "512");
            ct.config.put("swap", "512");
            ct.config.put("net0", "name=eth0,bridge=vmbr0,ip=dhcp");
            ct.config.put("rootfs", ROOTFS_STORAGE + ":base-" + vmid + "-disk-0,size=1G");
            ct.config.put("unprivileged", "1");
            ct.config.put("template", "1");
            writeRootfs(ct, files, null);
            cts.put(vmid, ct);
        }
    }

    /**
     * Runs a backup job of someone else (a scheduled vzdump) on the container: it holds lock {@code backup} for
     * {@code duration}, as Proxmox does, and blocks config changes, start, migrate and delete meanwhile.
     */
    public String startForeignBackup(int vmid, Duration duration) {
        synchronized (state) {
            Ct ct = ct(vmid);
            ct.config.put("lock", "backup");
            return startTask(ct.node, "vzdump", String.valueOf(vmid), "root@pam", duration, () -> {
                ct.config.remove("lock");
                return null;
            }).upid;
        }
    }

    /** The backup volumes on the backup storage. */
    public List<String> backupVolumes() {
        synchronized (state) {
            return List.copyOf(backups.keySet());
        }
    }

    /**
     * Keeps every pvedaemon worker of {@code node} busy for {@code duration} (slow synchronous calls of other
     * clients, e.g. storage scans), so requests to the node queue and, past the proxy timeout, get 596.
     */
    public void occupyWorkers(String node, Duration duration) {
        SimNode n = node(node);
        int permits = n.workerCount;
        n.workers.acquireUninterruptibly(permits);
        workers.schedule(() -> n.workers.release(permits), duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many requests waited longer than the proxy timeout for a worker and got 596. */
    public int proxyTimeouts() {
        return proxyTimeouts.get();
    }

    /** The most protected requests a node ever handled at once (never above its worker count). */
    public int maxConcurrentWorkers(String node) {
        return node(node).maxBusy.get();
    }

    /** Tickets issued for a password. */
    public int passwordLogins() {
        return logins.get();
    }

    /** Tickets renewed by presenting a valid ticket. */
    public int ticketRenewals() {
        return renewals.get();
    }

    /** Tasks currently running on a node. */
    public long runningTasks(String node) {
        return tasks.values().stream().filter(t -> t.node.equals(node) && t.exitStatus == null).count();
    }

    // ------------------------------------------------------------------------------------------ HTTP

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String raw = ex.getRequestURI().getRawPath();
            requestLog.add(method + " " + raw);
            if (!raw.startsWith("/api2/json/")) {
                respond(ex, new SimError(501, "no such uri"));
                return;
            }
            List<String> segments = new ArrayList<>();
            for (String s : raw.substring("/api2/json/".length()).split("/")) {
                if (!s.isEmpty()) {
                    segments.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
                }
            }
            try {
                Object data = dispatch(ex, method, segments);
                respondData(ex, data);
            } catch (SimError e) {
                respond(ex, e);
            }
        } catch (RuntimeException e) {
            // a simulator bug must show as a loud 500, never as a hang
            respond(ex, new SimError(500, "simulator error: " + e));
        }
    }

    private Object dispatch(HttpExchange ex, String method, List<String> segments) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if ((method.equals("GET") || method.equals("DELETE")) && body.length > 0) {
            throw new SimError(501, "Unexpected content for method '" + method + "'");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (body.length > 0) {
            String ct = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
            if (ct.startsWith("application/json")) {
                JSON.readTree(body).fields().forEachRemaining(e -> params.put(e.getKey(),
                        e.getValue().isBoolean() ? (e.getValue().asBoolean() ? "1" : "0") : e.getValue().asText()));
            } else {
                parseForm(new String(body, StandardCharsets.UTF_8), params);
            }
        }
        String query = ex.getRequestURI().getRawQuery();
        if (query != null) {
            parseForm(query, params); // query parameters override body parameters
        }
        String path = "/" + String.join("/", segments);
        ApiSchema.Route route = schema.route(method, segments).orElseThrow(() ->
                new SimError(501, "Method '" + method + " " + path + "' not implemented"));
        for (Map.Entry<String, String> u : route.uriParams().entrySet()) {
            String dup = params.get(u.getKey());
            if (dup != null && !dup.equals(u.getValue())) {
                throw SimError.param(u.getKey(), "duplicate parameter (already defined in URI) with conflicting values!");
            }
            params.put(u.getKey(), u.getValue());
        }
        if (!route.template().equals("/access/ticket")) {
            authenticate(ex, method);
        }
        Map<String, String> errors = schema.validate(route, params);
        if (!errors.isEmpty()) {
            violations.add(method + " " + route.template() + ": " + errors);
            throw new SimError(400, "Parameter verification failed.", errors);
        }
        String node = route.uriParams().get("node");
        Semaphore worker = null;
        if (node != null) {
            SimNode n;
            synchronized (state) {
                n = nodes.get(node);
                if (n == null) {
                    throw SimError.die("no such cluster node '" + node + "'");
                }
                if (!n.online) {
                    throw new SimError(595, "Errors during connection establishment, proxy handshake: No route to host");
                }
            }
            if (route.info().path("protected").asInt(0) == 1) {
                worker = n.workers;
                boolean got;
                try {
                    got = worker.tryAcquire(proxyTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    got = false;
                }
                if (!got) {
                    proxyTimeouts.incrementAndGet();
                    throw new SimError(596, "Errors during TLS negotiation, request sending and header processing: Connection timed out");
                }
            }
        }
        if (worker != null) {
            SimNode n = nodes.get(node);
            int busy = n.busy.incrementAndGet();
            n.maxBusy.accumulateAndGet(busy, Math::max);
        }
        try {
            Duration latency = faults.handlerLatency();
            if (worker != null && !latency.isZero()) {
                sleep(latency);
            }
            return route(route.template(), method, params, userOf(ex));
        } finally {
            if (worker != null) {
                nodes.get(node).busy.decrementAndGet();
                worker.release();
            }
        }
    }

    private Object route(String template, String method, Map<String, String> p, String user) {
        switch (method + " " + template) {
            case "GET /version":
                return obj("version", "9.1.3", "release", "9.1", "repoid", "simulated");
            case "POST /access/ticket":
                return ticket(p);
            case "GET /cluster/resources":
                return resources(p.get("type"));
            case "GET /cluster/nextid":
                return nextid(p.get("vmid"));
            case "GET /nodes":
                return nodeIndex();
            case "GET /nodes/{node}/lxc":
                return lxcIndex(p.get("node"));
            case "POST /nodes/{node}/lxc":
                return "1".equals(p.get("restore")) ? restore(p, user) : create(p, user);
            case "DELETE /nodes/{node}/lxc/{vmid}":
                return destroy(p, user);
            case "GET /nodes/{node}/lxc/{vmid}/config":
                return config(p);
            case "PUT /nodes/{node}/lxc/{vmid}/config":
                return updateConfig(p);
            case "GET /nodes/{node}/lxc/{vmid}/status/current":
                return current(p);
            case "GET /nodes/{node}/lxc/{vmid}/interfaces":
                return interfaces(p);
            case "POST /nodes/{node}/lxc/{vmid}/status/start":
                return start(p, user);
            case "POST /nodes/{node}/lxc/{vmid}/status/shutdown":
                return stop(p, user, "vzshutdown");
            case "POST /nodes/{node}/lxc/{vmid}/status/stop":
                return stop(p, user, "vzstop");
            case "POST /nodes/{node}/lxc/{vmid}/clone":
                return clone(p, user);
            case "POST /nodes/{node}/lxc/{vmid}/migrate":
                return migrate(p, user);
            case "PUT /nodes/{node}/lxc/{vmid}/resize":
                return resize(p, user);
            case "GET /nodes/{node}/tasks/{upid}/status":
                return taskStatus(p);
            case "GET /nodes/{node}/tasks/{upid}/log":
                return taskLog(p);
            case "POST /nodes/{node}/vzdump":
                return vzdump(p, user);
            case "GET /nodes/{node}/storage/{storage}/content":
                return storageContent(p);
            case "DELETE /nodes/{node}/storage/{storage}/content/{volume}":
                return deleteVolume(p, user);
            default:
                throw new SimError(501, "Method '" + method + " " + template + "' not implemented in the simulator");
        }
    }

    // ------------------------------------------------------------------------------------------ auth

    private void authenticate(HttpExchange ex, String method) {
        String cookie = cookieTicket(ex);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (cookie == null && auth != null && auth.startsWith("PVEAuthCookie=")) {
            cookie = URLDecoder.decode(auth.substring("PVEAuthCookie=".length()), StandardCharsets.UTF_8);
        }
        if (cookie != null) { // a cookie wins over a token, as in pve-http-server
            Instant issued = tickets.get(cookie);
            if (issued == null || Instant.now().isAfter(issued.plus(ticketLifetime))) {
                unauthorized("Authentication failed!");
            }
            if (!method.equals("GET")) {
                String csrf = ex.getRequestHeaders().getFirst("CSRFPreventionToken");
                if (csrf == null || !csrf.equals(csrfByTicket.get(cookie))) {
                    unauthorized("Permission denied - invalid csrf token");
                }
            }
            ex.setAttribute("user", cookie.split(":")[1]);
            return;
        }
        Matcher m = auth == null ? null : Pattern.compile("(?:^|\\s)PVEAPIToken(?:=| )([^;]*)").matcher(auth);
        if (m == null || !m.find()) {
            unauthorized("No ticket");
        }
        String value = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        int eq = value.lastIndexOf('=');
        String id = eq < 0 ? value : value.substring(0, eq);
        String secret = eq < 0 ? "" : value.substring(eq + 1);
        String expected = tokens.get(id);
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
            unauthorized("Authentication failed!");
        }
        ex.setAttribute("user", id);
    }

    private static String cookieTicket(HttpExchange ex) {
        List<String> cookies = ex.getRequestHeaders().get("Cookie");
        if (cookies == null) {
            return null;
        }
        for (String header : cookies) {
            for (String c : header.split(";")) {
                String t = c.strip();
                if (t.startsWith("PVEAuthCookie=")) {
                    return URLDecoder.decode(t.substring("PVEAuthCookie=".length()), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    private void unauthorized(String message) {
        sleep(unauthorizedDelay); // pve-http-server delays every 401 by 3 s
        throw new SimError(401, message);
    }

    private static String userOf(HttpExchange ex) {
        Object u = ex.getAttribute("user");
        return u == null ? "root@pam" : u.toString();
    }

    private Object ticket(Map<String, String> p) {
        String user = p.get("username");
        String password = p.get("password");
        boolean ok = password.equals(users.get(user));
        if (ok) {
            logins.incrementAndGet();
        } else {
            Instant issued = tickets.get(password); // renewal: a valid ticket works as the password
            ok = issued != null && Instant.now().isBefore(issued.plus(ticketLifetime)) && password.split(":")[1].equals(user);
            if (ok) {
                renewals.incrementAndGet();
            }
        }
        if (!ok) {
            sleep(unauthorizedDelay);
            throw new SimError(401, "authentication failure");
        }
        byte[] sig = new byte[32];
        new java.security.SecureRandom().nextBytes(sig);
        String now = String.format("%08X", Instant.now().getEpochSecond());
        String ticket = "PVE:" + user + ":" + now + "::" + Base64.getEncoder().encodeToString(sig);
        String csrf = now + ":" + Base64.getEncoder().withoutPadding().encodeToString(sig).substring(0, 20);
        tickets.put(ticket, Instant.now());
        csrfByTicket.put(ticket, csrf);
        return obj("username", user, "ticket", ticket, "CSRFPreventionToken", csrf, "clustername", "sim", "cap", obj());
    }

    // ------------------------------------------------------------------------------------------ cluster

    private Object resources(String type) {
        synchronized (state) {
            ArrayNode out = NODES.arrayNode();
            if (type == null || type.equals("node")) {
                for (SimNode n : nodes.values()) {
                    ObjectNode o = out.addObject();
                    o.put("id", "node/" + n.name).put("type", "node").put("node", n.name)
                            .put("status", n.online ? "online" : "offline").put("level", "");
                    if (n.online) {
                        o.put("maxcpu", n.cpus).put("maxmem", n.memory).put("maxdisk", n.disk)
                                .put("cpu", 0.02 * runningOn(n.name)).put("mem", usedMemory(n.name)).put("disk", 0)
                                .put("uptime", 86400);
                    }
                }
            }
            if (type == null || type.equals("vm")) {
                for (Ct ct : cts.values()) {
                    ObjectNode o = out.addObject();
                    boolean known = node(ct.node).online;
                    o.put("id", "lxc/" + ct.vmid).put("type", "lxc").put("vmid", ct.vmid).put("node", ct.node)
                            .put("name", ct.config.getOrDefault("hostname", "CT" + ct.vmid))
                            .put("status", known ? (ct.running ? "running" : "stopped") : "unknown")
                            .put("maxcpu", Integer.parseInt(ct.config.getOrDefault("cores", "1")))
                            .put("maxmem", mib(ct.config.getOrDefault("memory", "512")))
                            .put("maxdisk", ct.rootfsBytes()).put("template", ct.config.containsKey("template") ? 1 : 0);
                    if (ct.config.containsKey("tags")) {
                        o.put("tags", ct.config.get("tags"));
                    }
                    if (ct.config.containsKey("lock")) {
                        o.put("lock", ct.config.get("lock"));
                    }
                }
            }
            if (type == null || type.equals("storage")) {
                for (SimNode n : nodes.values()) {
                    for (String st : List.of(TEMPLATE_STORAGE, ROOTFS_STORAGE, BACKUP_STORAGE)) {
                        ObjectNode o = out.addObject();
                        o.put("id", "storage/" + n.name + "/" + st).put("type", "storage").put("node", n.name)
                                .put("storage", st).put("status", n.online ? "available" : "unknown")
                                .put("shared", st.equals(BACKUP_STORAGE) ? 1 : 0)
                                .put("content", content(st)).put("maxdisk", n.disk).put("disk", usedDisk(n.name, st));
                    }
                }
            }
            return out;
        }
    }

    private static String content(String storage) {
        return switch (storage) {
            case TEMPLATE_STORAGE -> "vztmpl,iso";
            case ROOTFS_STORAGE -> "rootdir,images";
            default -> "backup";
        };
    }

    private Object nextid(String vmid) {
        synchronized (state) {
            if (vmid != null) {
                int id = Integer.parseInt(vmid);
                if (cts.containsKey(id)) {
                    throw SimError.param("vmid", "VM " + id + " already exists");
                }
                return String.valueOf(id); // a string on the wire although the schema says integer
            }
            int id = 100;
            while (cts.containsKey(id)) {
                id++;
            }
            return String.valueOf(id);
        }
    }

    private Object nodeIndex() {
        synchronized (state) {
            ArrayNode out = NODES.arrayNode();
            for (SimNode n : nodes.values()) {
                ObjectNode o = out.addObject().put("node", n.name).put("status", n.online ? "online" : "offline")
                        .put("level", "").put("ssl_fingerprint", n.fingerprint);
                if (n.online) {
                    o.put("maxcpu", n.cpus).put("maxmem", n.memory).put("mem", usedMemory(n.name))
                            .put("cpu", 0.01).put("uptime", 86400);
                }
            }
            return out;
        }
    }

    private Object lxcIndex(String node) {
        synchronized (state) {
            ArrayNode out = NODES.arrayNode();
            for (Ct ct : cts.values()) {
                if (ct.node.equals(node)) {
                    ObjectNode o = out.addObject().put("vmid", ct.vmid).put("status", ct.running ? "running" : "stopped")
                            .put("name", ct.config.getOrDefault("hostname", "CT" + ct.vmid))
                            .put("maxmem", mib(ct.config.getOrDefault("memory", "512"))).put("maxdisk", ct.rootfsBytes());
                    if (ct.config.containsKey("tags")) {
                        o.put("tags", ct.config.get("tags"));
                    }
                    if (ct.config.containsKey("lock")) {
                        o.put("lock", ct.config.get("lock"));
                    }
                }
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------------------ containers

    private Object create(Map<String, String> p, String user) {
        String failure = faults.takeDispatchFailure("vzcreate");
        if (failure != null) {
            throw SimError.die(failure);
        }
        synchronized (state) {
            String node = p.get("node");
            int vmid = Integer.parseInt(p.get("vmid"));
            if (faults.takeNextidRace() && !cts.containsKey(vmid)) {
                addForeignContainer(vmid, node, false); // the racing creator got there first
            }
            Ct existing = cts.get(vmid);
            if (existing != null) {
                throw SimError.die("unable to create CT " + vmid + " - CT " + vmid + " already exists on node '" + existing.node + "'");
            }
            String ostemplate = p.get("ostemplate");
            Map<String, String> files = templates.get(ostemplate);
            if (files == null) {
                throw SimError.die("volume '" + ostemplate + "' does not exist");
            }
            String storage = p.getOrDefault("storage", TEMPLATE_STORAGE);
            String rootfs = p.getOrDefault("rootfs", storage + ":4");
            String rootfsConfig = allocateRootfs(vmid, rootfs);
            Ct ct = new Ct(vmid, node, dir(vmid));
            copyCreateOptions(p, ct.config);
            ct.config.put("rootfs", rootfsConfig);
            ct.config.putIfAbsent("hostname", "CT" + vmid);
            ct.config.putIfAbsent("memory", "512");
            ct.config.putIfAbsent("swap", "512");
            ct.config.putIfAbsent("unprivileged", "1"); // the code's default for create, not the schema's 0
            ct.config.put("lock", "create");
            cts.put(vmid, ct);
            String keys = p.get("ssh-public-keys");
            boolean startAfter = "1".equals(p.get("start"));
            Task t = startTask(node, "vzcreate", String.valueOf(vmid), user, timings.of("vzcreate"), () -> {
                writeRootfs(ct, files, keys);
                ct.config.remove("lock");
                if (startAfter) {
                    ct.running = true;
                    ct.assignIp();
                }
                return null;
            });
            t.onFailure = () -> {
                cts.remove(vmid); // $destroy_config_on_error: the vmid is free again
                deleteTree(ct.dir);
            };
            t.log.add("extracting archive '" + ostemplate + "'");
            // like pve-container: one key per type; the simulated sshd serves the ECDSA one
            for (String type : List.of("rsa", "ecdsa", "ed25519")) {
                t.log.add("Creating SSH host key 'ssh_host_" + type + "_key' - this may take some time ...");
                String fp = type.equals("ecdsa") ? ct.hostKeyFingerprint() : randomFingerprint();
                t.log.add("done: SHA256:" + fp + " root@" + ct.config.get("hostname"));
            }
            return t.upid;
        }
    }

    private static void copyCreateOptions(Map<String, String> p, Map<String, String> config) {
        for (Map.Entry<String, String> e : p.entrySet()) {
            switch (e.getKey()) {
                case "node", "vmid", "ostemplate", "storage", "rootfs", "start", "ssh-public-keys", "password",
                        "restore", "force", "unique", "pool", "ignore-unpack-errors", "bwlimit" -> { }
                default -> config.put(e.getKey(), e.getValue());
            }
        }
    }

    private String allocateRootfs(int vmid, String rootfs) {
        String volume = rootfs.split(",")[0];
        if (volume.startsWith("volume=")) {
            volume = volume.substring("volume=".length());
        }
        Matcher m = NEW_VOLUME.matcher(volume);
        String storage;
        String size;
        if (m.matches()) {
            storage = m.group(1);
            size = m.group(2);
        } else if (volume.matches("\\d+(\\.\\d+)?")) {
            storage = TEMPLATE_STORAGE;
            size = volume;
        } else {
            throw SimError.param("rootfs", "unable to parse volume '" + volume + "'");
        }
        if (!content(storage).contains("rootdir") || !Set.of(TEMPLATE_STORAGE, ROOTFS_STORAGE, BACKUP_STORAGE).contains(storage)) {
            throw SimError.param("storage", "storage '" + storage + "' does not support container directories");
        }
        String gib = size.endsWith(".0") ? size.substring(0, size.length() - 2) : size;
        return storage + ":vm-" + vmid + "-disk-0,size=" + gib + "G";
    }

    private Object restore(Map<String, String> p, String user) {
        synchronized (state) {
            String node = p.get("node");
            int vmid = Integer.parseInt(p.get("vmid"));
            Backup backup = backups.get(p.get("ostemplate"));
            if (backup == null) {
                throw SimError.die("volume '" + p.get("ostemplate") + "' does not exist");
            }
            Ct existing = cts.get(vmid);
            Ct ct;
            if (existing != null) {
                if (!"1".equals(p.get("force"))) {
                    throw SimError.die("unable to restore CT " + vmid + " - CT " + vmid + " already exists on node '" + existing.node + "'");
                }
                if (!existing.node.equals(node)) {
                    throw SimError.die("unable to restore CT " + vmid + " - CT " + vmid + " already exists on node '" + existing.node + "'");
                }
                checkLock(existing);
                if (existing.running) {
                    throw SimError.die("unable to restore CT " + vmid + " - can't overwrite running container");
                }
                ct = existing;
            } else {
                ct = new Ct(vmid, node, dir(vmid));
                cts.put(vmid, ct);
            }
            ct.config.put("lock", "create");
            String storage = p.getOrDefault("storage", ROOTFS_STORAGE);
            Task t = startTask(node, "vzrestore", String.valueOf(vmid), user, timings.of("vzrestore"), () -> {
                ct.config.clear();
                ct.config.putAll(backup.config);
                String size = ct.config.getOrDefault("rootfs", "x:y,size=4G").replaceAll(".*size=", "");
                ct.config.put("rootfs", storage + ":vm-" + vmid + "-disk-0,size=" + size);
                replaceTree(backup.data, ct.dir);
                return null;
            });
            t.onFailure = () -> ct.config.remove("lock");
            return t.upid;
        }
    }

    private Object destroy(Map<String, String> p, String user) {
        synchronized (state) {
            Ct ct = ctOn(p);
            if ("1".equals(ct.config.get("protection"))) {
                throw SimError.die("can't remove CT " + ct.vmid + " - protection mode enabled");
            }
            checkLock(ct);
            if (ct.running && !"1".equals(p.get("force"))) {
                throw SimError.die("unable to destroy CT " + ct.vmid + " - container is running");
            }
            ct.config.put("lock", "destroyed");
            return startTask(ct.node, "vzdestroy", String.valueOf(ct.vmid), user, timings.of("vzdestroy"), () -> {
                ct.running = false;
                deleteTree(ct.dir);
                cts.remove(ct.vmid); // the config goes last ("else we can have reuse race")
                return null;
            }).upid;
        }
    }

    private Object config(Map<String, String> p) {
        synchronized (state) {
            Ct ct = ctOn(p);
            ObjectNode o = NODES.objectNode();
            ct.config.forEach((k, v) -> typed(o, k, v));
            o.put("digest", ct.digest());
            return o;
        }
    }

    private Object updateConfig(Map<String, String> p) {
        synchronized (state) {
            Ct ct = ctOn(p);
            checkLock(ct);
            if (p.containsKey("digest") && !p.get("digest").equals(ct.digest())) {
                throw SimError.die("detected modified configuration - file changed by other user? Try again.");
            }
            Map<String, String> changes = new LinkedHashMap<>(p);
            changes.keySet().removeAll(Set.of("node", "vmid", "digest", "delete", "revert"));
            if (changes.isEmpty() && !p.containsKey("delete")) {
                throw SimError.die("no options specified");
            }
            if (changes.containsKey("rootfs")) {
                throw SimError.param("rootfs", "unable to modify read-only option: 'rootfs' (use the resize API)");
            }
            if (p.containsKey("delete")) {
                for (String k : p.get("delete").split("[,;\\s]+")) {
                    ct.config.remove(k);
                }
            }
            ct.config.putAll(changes);
            if (changes.containsKey("net0") && ct.running) {
                ct.assignIp();
            }
            return null; // synchronous: no UPID
        }
    }

    private Object current(Map<String, String> p) {
        synchronized (state) {
            Ct ct = ctOn(p);
            ObjectNode o = NODES.objectNode().put("vmid", ct.vmid).put("status", ct.running ? "running" : "stopped")
                    .put("name", ct.config.getOrDefault("hostname", "CT" + ct.vmid))
                    .put("maxmem", mib(ct.config.getOrDefault("memory", "512")))
                    .put("maxswap", mib(ct.config.getOrDefault("swap", "512")))
                    .put("maxdisk", ct.rootfsBytes()).put("cpus", Integer.parseInt(ct.config.getOrDefault("cores", "1")))
                    .put("uptime", ct.running ? 100 : 0).put("type", "lxc");
            o.putObject("ha").put("managed", 0);
            if (ct.config.containsKey("lock")) {
                o.put("lock", ct.config.get("lock"));
            }
            if (ct.config.containsKey("tags")) {
                o.put("tags", ct.config.get("tags"));
            }
            return o;
        }
    }

    private Object interfaces(Map<String, String> p) {
        synchronized (state) {
            Ct ct = ctOn(p);
            if (!ct.running) {
                throw SimError.die("CT " + ct.vmid + " not running");
            }
            ArrayNode out = NODES.arrayNode();
            out.addObject().put("name", "lo").put("hwaddr", "00:00:00:00:00:00").put("inet", "127.0.0.1/8");
            if (ct.ip != null) {
                out.addObject().put("name", "eth0").put("hwaddr", ct.mac()).put("inet", ct.ip + "/24");
            }
            return out;
        }
    }

    private Object start(Map<String, String> p, String user) {
        String failure = faults.takeDispatchFailure("vzstart");
        if (failure != null) {
            throw SimError.die(failure);
        }
        synchronized (state) {
            Ct ct = ctOn(p);
            if (ct.running) {
                throw SimError.die("CT " + ct.vmid + " already running");
            }
            return startTask(ct.node, "vzstart", String.valueOf(ct.vmid), user, timings.of("vzstart"), () -> {
                checkLock(ct); // checked inside the task, as pve-container does
                if (ct.config.containsKey("template")) {
                    throw SimError.die("you can't start a CT if it's a template");
                }
                ct.running = true;
                ct.assignIp();
                return null;
            }).upid;
        }
    }

    private Object stop(Map<String, String> p, String user, String type) {
        synchronized (state) {
            Ct ct = ctOn(p);
            if (!ct.running) {
                throw SimError.die("CT " + ct.vmid + " not running");
            }
            return startTask(ct.node, type, String.valueOf(ct.vmid), user, timings.of(type), () -> {
                if (type.equals("vzshutdown")) {
                    checkLock(ct);
                }
                ct.running = false;
                return null;
            }).upid;
        }
    }

    private Object clone(Map<String, String> p, String user) {
        synchronized (state) {
            Ct source = ctOn(p);
            int newid = Integer.parseInt(p.get("newid"));
            checkLock(source);
            Ct existing = cts.get(newid);
            if (existing != null) {
                throw SimError.die("unable to create CT " + newid + " - CT " + newid + " already exists on node '" + existing.node + "'");
            }
            String target = p.getOrDefault("target", source.node);
            if (!target.equals(source.node)) {
                throw SimError.die("can't clone CT to node '" + target + "' (CT uses local storage)");
            }
            Ct copy = new Ct(newid, target, dir(newid));
            copy.config.putAll(source.config);
            copy.config.remove("template");
            copy.config.put("rootfs", source.config.get("rootfs").replace("vm-" + source.vmid + "-", "vm-" + newid + "-")
                    .replace("base-" + source.vmid + "-", "vm-" + newid + "-"));
            if (p.containsKey("hostname")) {
                copy.config.put("hostname", p.get("hostname"));
            }
            if (p.containsKey("description")) {
                copy.config.put("description", p.get("description"));
            }
            copy.config.put("lock", "create");
            source.config.put("lock", "disk");
            cts.put(newid, copy);
            Task t = startTask(source.node, "vzclone", String.valueOf(source.vmid), user, timings.of("vzclone"), () -> {
                replaceTree(source.dir, copy.dir);
                source.config.remove("lock");
                copy.config.remove("lock");
                return null;
            });
            t.onFailure = () -> {
                source.config.remove("lock");
                cts.remove(newid);
                deleteTree(copy.dir);
            };
            return t.upid;
        }
    }

    private Object migrate(Map<String, String> p, String user) {
        String failure = faults.takeDispatchFailure("vzmigrate");
        if (failure != null) {
            throw SimError.die(failure);
        }
        synchronized (state) {
            Ct ct = ctOn(p);
            String target = p.get("target");
            if (target.equals(ct.node)) {
                throw SimError.param("target", "target is local node.");
            }
            SimNode t = nodes.get(target);
            if (t == null || !t.online) {
                throw SimError.die("target node '" + target + "' is not online");
            }
            checkLock(ct);
            boolean restart = "1".equals(p.get("restart"));
            if (ct.running && !restart && !"1".equals(p.get("online"))) {
                throw SimError.die("can't migrate running container without --online or --restart");
            }
            boolean wasRunning = ct.running;
            ct.config.put("lock", "migrate");
            String source = ct.node;
            Task task = startTask(source, "vzmigrate", String.valueOf(ct.vmid), user, timings.of("vzmigrate"), () -> {
                if ("1".equals(p.get("online"))) {
                    throw new IllegalStateException("lxc live migration is currently not implemented");
                }
                if (!nodes.get(target).online) {
                    throw new IllegalStateException("migration aborted: target node '" + target + "' unreachable");
                }
                ct.node = target;
                ct.config.remove("lock");
                ct.running = wasRunning;
                return null;
            });
            task.onFailure = () -> ct.config.remove("lock");
            return task.upid;
        }
    }

    private Object resize(Map<String, String> p, String user) {
        synchronized (state) {
            Ct ct = ctOn(p);
            checkLock(ct);
            if (!p.get("disk").equals("rootfs")) {
                throw SimError.param("disk", "no such mount point");
            }
            Matcher m = SIZE.matcher(p.get("size"));
            if (!m.matches()) {
                throw SimError.param("size", "value does not match the regex pattern");
            }
            long current = ct.rootfsBytes();
            long value = Math.round(Double.parseDouble(m.group(2)) * unit(m.group(4)));
            long wanted = m.group(1) != null ? current + value : value;
            if (wanted < current) {
                throw SimError.die("unable to shrink disk size");
            }
            if (wanted == current) {
                throw SimError.die("disk is already at specified size");
            }
            return startTask(ct.node, "resize", String.valueOf(ct.vmid), user, timings.of("resize"), () -> {
                String rootfs = ct.config.get("rootfs").replaceAll(",size=[^,]*", "");
                ct.config.put("rootfs", rootfs + ",size=" + formatSize(wanted));
                return null;
            }).upid;
        }
    }

    // ------------------------------------------------------------------------------------------ backups

    private Object vzdump(Map<String, String> p, String user) {
        synchronized (state) {
            String node = p.get("node");
            String storage = p.getOrDefault("storage", TEMPLATE_STORAGE);
            if (!storage.equals(BACKUP_STORAGE)) {
                throw SimError.param("storage", "storage '" + storage + "' does not support backups");
            }
            if (p.get("vmid") == null || p.get("vmid").split("[,;\\s]+").length != 1) {
                throw SimError.param("vmid", "the simulator backs up exactly one guest per job");
            }
            int vmid = Integer.parseInt(p.get("vmid"));
            Ct ct = cts.get(vmid);
            String mode = p.getOrDefault("mode", "snapshot");
            // one vzdump job per node at a time (global flock), later jobs wait for it
            Instant now = Instant.now();
            Instant begin = lastDumpEnd.getOrDefault(node, now).isAfter(now) ? lastDumpEnd.get(node) : now;
            Duration total = Duration.between(now, begin).plus(timings.of("vzdump"));
            lastDumpEnd.put(node, now.plus(total));
            Task t = startTask(node, "vzdump", String.valueOf(vmid), user, total, () -> {
                if (ct == null || !cts.containsKey(vmid) || !ct.node.equals(node)) {
                    throw new IllegalStateException("unable to find VM " + vmid + " on node '" + node + "'");
                }
                if (ct.config.containsKey("lock") && !"backup".equals(ct.config.get("lock"))) {
                    throw new IllegalStateException("CT is locked (" + ct.config.get("lock") + ")");
                }
                ct.config.remove("lock");
                Instant at = Instant.now();
                String volid = BACKUP_STORAGE + ":backup/vzdump-lxc-" + vmid + "-" + DUMP_TIME.format(at) + "-"
                        + pids.incrementAndGet() + ".tar.zst";
                Path copy = root.resolve("dump-" + UUID() );
                replaceTree(ct.dir, copy);
                String notes = p.getOrDefault("notes-template", "{{guestname}}")
                        .replace("{{guestname}}", ct.config.getOrDefault("hostname", "CT" + vmid))
                        .replace("{{vmid}}", String.valueOf(vmid)).replace("{{node}}", node).replace("{{cluster}}", "sim");
                Map<String, String> cfg = new LinkedHashMap<>(ct.config);
                backups.put(volid, new Backup(volid, vmid, at, notes, cfg, copy, treeSize(copy) + 10240));
                return null;
            });
            // the CT is locked while its backup runs (mode snapshot, suspend or stop alike)
            if (ct != null && !ct.config.containsKey("lock") && ct.node.equals(node)) {
                workers.schedule(() -> {
                    synchronized (state) {
                        if (t.exitStatus == null && !ct.config.containsKey("lock")) {
                            ct.config.put("lock", "backup");
                        }
                    }
                }, Duration.between(now, begin).toMillis(), TimeUnit.MILLISECONDS);
            }
            t.log.add("INFO: starting new backup job: vzdump " + vmid + " --mode " + mode + " --storage " + storage);
            t.onFailure = () -> {
                if (ct != null && "backup".equals(ct.config.get("lock"))) {
                    ct.config.remove("lock");
                }
            };
            return t.upid;
        }
    }

    private static String randomFingerprint() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return Base64.getEncoder().withoutPadding().encodeToString(b);
    }

    private static String UUID() {
        return java.util.UUID.randomUUID().toString();
    }

    private Object storageContent(Map<String, String> p) {
        synchronized (state) {
            String storage = p.get("storage");
            String filter = p.get("content");
            Integer vmid = p.containsKey("vmid") ? Integer.valueOf(p.get("vmid")) : null;
            ArrayNode out = NODES.arrayNode();
            if (storage.equals(BACKUP_STORAGE) && (filter == null || filter.equals("backup"))) {
                for (Backup b : backups.values()) {
                    if (vmid == null || vmid == b.vmid) {
                        out.addObject().put("volid", b.volid).put("content", "backup").put("format", "tar.zst")
                                .put("size", b.size).put("ctime", b.ctime.getEpochSecond()).put("vmid", b.vmid)
                                .put("notes", b.notes);
                    }
                }
            } else if (storage.equals(TEMPLATE_STORAGE) && (filter == null || filter.equals("vztmpl"))) {
                for (String t : templates.keySet()) {
                    out.addObject().put("volid", t).put("content", "vztmpl").put("format", "tzst").put("size", 120_000_000L);
                }
            } else if (storage.equals(ROOTFS_STORAGE) && (filter == null || filter.equals("rootdir"))) {
                for (Ct ct : cts.values()) {
                    if (ct.node.equals(p.get("node")) && (vmid == null || vmid == ct.vmid)) {
                        out.addObject().put("volid", ct.config.get("rootfs").split(",")[0]).put("content", "rootdir")
                                .put("format", "raw").put("size", ct.rootfsBytes()).put("vmid", ct.vmid);
                    }
                }
            }
            return out;
        }
    }

    private Object deleteVolume(Map<String, String> p, String user) {
        synchronized (state) {
            String volume = p.get("volume");
            String volid = volume.contains(":") ? volume : p.get("storage") + ":" + volume;
            Backup b = backups.get(volid);
            if (b == null) {
                throw SimError.die("volume '" + volid + "' does not exist");
            }
            return startTask(p.get("node"), "imgdel", volid, user, timings.of("imgdel"), () -> {
                backups.remove(volid);
                deleteTree(b.data);
                return null;
            }).upid;
        }
    }

    // ------------------------------------------------------------------------------------------ tasks

    private Object taskStatus(Map<String, String> p) {
        Task t = tasks.get(p.get("upid"));
        if (t == null || !t.node.equals(p.get("node"))) {
            throw SimError.param("upid", "no such task");
        }
        synchronized (state) {
            ObjectNode o = NODES.objectNode().put("upid", t.upid).put("node", t.node).put("pid", t.pid)
                    .put("pstart", t.pid * 7L).put("starttime", t.started.getEpochSecond()).put("type", t.type)
                    .put("id", t.id).put("user", t.user.split("!")[0])
                    .put("status", t.exitStatus == null ? "running" : "stopped");
            if (t.user.contains("!")) {
                o.put("tokenid", t.user.substring(t.user.indexOf('!') + 1));
            }
            if (t.exitStatus != null) {
                o.put("exitstatus", t.exitStatus);
            }
            return o;
        }
    }

    private Object taskLog(Map<String, String> p) {
        Task t = tasks.get(p.get("upid"));
        if (t == null || !t.node.equals(p.get("node"))) {
            throw SimError.param("upid", "no such task");
        }
        synchronized (state) {
            ArrayNode out = NODES.arrayNode();
            int n = 1;
            for (String line : t.log) {
                out.addObject().put("n", n++).put("t", line);
            }
            return out;
        }
    }

    /** Starts a task; {@code work} runs (under the state lock) when its duration is over. Caller holds the lock. */
    private Task startTask(String node, String type, String id, String user, Duration duration, TaskWork work) {
        int pid = pids.incrementAndGet();
        Instant now = Instant.now();
        String upid = String.format("UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, pid, pid * 7, now.getEpochSecond(), type, id, user);
        Task t = new Task(upid, node, type, id, user, pid, now);
        String injected = faults.takeTaskFailure(type);
        Integer warnings = faults.takeWarnings(type);
        tasks.put(upid, t);
        workers.schedule(() -> {
            synchronized (state) {
                try {
                    if (injected != null) {
                        throw new IllegalStateException(injected);
                    }
                    String warned = work.run();
                    if (warnings != null) {
                        for (int i = 0; i < warnings; i++) {
                            t.log.add("WARN: simulated warning " + (i + 1));
                        }
                        warned = "WARNINGS: " + warnings;
                    }
                    t.exitStatus = warned == null ? "OK" : warned;
                    t.log.add(warned == null ? "TASK OK" : "TASK " + warned);
                } catch (RuntimeException e) {
                    String msg = e instanceof SimError ? e.getMessage() : String.valueOf(e.getMessage());
                    if (type.equals("vzcreate") || type.equals("vzrestore") || type.equals("vzclone")) {
                        msg = "unable to create CT " + id + " - " + msg;
                    }
                    t.exitStatus = msg.replace('\n', ' ');
                    t.log.add("TASK ERROR: " + t.exitStatus);
                    if (t.onFailure != null) {
                        t.onFailure.run();
                    }
                }
            }
        }, duration.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    @FunctionalInterface
    private interface TaskWork {
        /** Does the task's work; returns null for OK or "WARNINGS: n". */
        String run();
    }

    private static final class Task {
        final String upid;
        final String node;
        final String type;
        final String id;
        final String user;
        final int pid;
        final Instant started;
        final List<String> log = new ArrayList<>();
        volatile String exitStatus;
        Runnable onFailure;

        Task(String upid, String node, String type, String id, String user, int pid, Instant started) {
            this.upid = upid;
            this.node = node;
            this.type = type;
            this.id = id;
            this.user = user;
            this.pid = pid;
            this.started = started;
        }
    }

    // ------------------------------------------------------------------------------------------ state helpers

    private Ct ctOn(Map<String, String> p) {
        int vmid = Integer.parseInt(p.get("vmid"));
        Ct ct = cts.get(vmid);
        if (ct == null || !ct.node.equals(p.get("node"))) {
            throw SimError.die("Configuration file 'nodes/" + p.get("node") + "/lxc/" + vmid + ".conf' does not exist");
        }
        return ct;
    }

    private Ct ct(int vmid) {
        Ct ct = cts.get(vmid);
        if (ct == null) {
            throw new IllegalArgumentException("no container " + vmid);
        }
        return ct;
    }

    private static void checkLock(Ct ct) {
        String lock = ct.config.get("lock");
        if (lock != null) {
            throw SimError.die("CT is locked (" + lock + ")");
        }
    }

    private SimNode node(String name) {
        SimNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name);
        }
        return n;
    }

    private int runningOn(String node) {
        return (int) cts.values().stream().filter(c -> c.node.equals(node) && c.running).count();
    }

    private long usedMemory(String node) {
        return cts.values().stream().filter(c -> c.node.equals(node) && c.running)
                .mapToLong(c -> mib(c.config.getOrDefault("memory", "512")) / 4).sum();
    }

    private long usedDisk(String node, String storage) {
        if (!storage.equals(ROOTFS_STORAGE)) {
            return 0;
        }
        return cts.values().stream().filter(c -> c.node.equals(node)).mapToLong(Ct::rootfsBytes).sum();
    }

    private Path dir(int vmid) {
        return root.resolve("ct-" + vmid + "-" + UUID());
    }

    private void writeRootfs(Ct ct, Map<String, String> files, String sshKeys) {
        try {
            Files.createDirectories(ct.dir);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path target = ct.dir.resolve(f.getKey().replaceFirst("^/", ""));
                Files.createDirectories(target.getParent());
                Files.writeString(target, f.getValue());
            }
            Files.createDirectories(ct.dir.resolve("etc"));
            Files.writeString(ct.dir.resolve("etc/hostname"), ct.config.get("hostname") + "\n");
            if (sshKeys != null) {
                Path ssh = ct.dir.resolve("root/.ssh");
                Files.createDirectories(ssh);
                Files.writeString(ssh.resolve("authorized_keys"), sshKeys.endsWith("\n") ? sshKeys : sshKeys + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void typed(ObjectNode o, String k, String v) {
        if (INT_KEYS.contains(k) && v.matches("-?\\d+")) {
            o.put(k, Long.parseLong(v));
        } else if (k.equals("cpulimit") && v.matches("\\d+(\\.\\d+)?")) {
            o.put(k, Double.parseDouble(v));
        } else {
            o.put(k, v);
        }
    }

    private static long mib(String v) {
        return Long.parseLong(v) * 1024L * 1024L;
    }

    private static long unit(String u) {
        if (u == null) {
            return 1;
        }
        return switch (u) {
            case "K" -> 1024L;
            case "M" -> 1024L * 1024;
            case "G" -> 1024L * 1024 * 1024;
            default -> 1024L * 1024 * 1024 * 1024;
        };
    }

    static String formatSize(long bytes) {
        long g = 1024L * 1024 * 1024;
        long m = 1024L * 1024;
        if (bytes % g == 0) {
            return bytes / g + "G";
        }
        if (bytes % m == 0) {
            return bytes / m + "M";
        }
        return bytes / 1024 + "K";
    }

    private static void parseForm(String text, Map<String, String> into) {
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(k, v);
        }
    }

    private static ObjectNode obj(Object... kv) {
        ObjectNode o = NODES.objectNode();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            if (v instanceof ObjectNode n) {
                o.set((String) kv[i], n);
            } else {
                o.put((String) kv[i], String.valueOf(v));
            }
        }
        return o;
    }

    private void respondData(HttpExchange ex, Object data) throws IOException {
        ObjectNode envelope = NODES.objectNode();
        if (data == null) {
            envelope.putNull("data");
        } else if (data instanceof String s) {
            envelope.put("data", s);
        } else {
            envelope.set("data", (com.fasterxml.jackson.databind.JsonNode) data);
        }
        write(ex, 200, "OK", JSON.writeValueAsBytes(envelope));
    }

    private void respond(HttpExchange ex, SimError e) {
        try {
            byte[] body;
            if (e.status >= 595) {
                body = new byte[0]; // the proxy's pseudo-statuses come with an empty body
            } else {
                ObjectNode envelope = NODES.objectNode();
                envelope.putNull("data");
                if (!e.errors.isEmpty()) {
                    ObjectNode errs = envelope.putObject("errors");
                    e.errors.forEach(errs::put);
                }
                envelope.put("message", e.getMessage() + "\n");
                body = JSON.writeValueAsBytes(envelope);
            }
            ex.getResponseHeaders().set("Connection", "close"); // every answer >= 400 closes the connection
            write(ex, e.status, e.getMessage(), body);
        } catch (IOException io) {
            // the client went away; nothing to tell it
        }
    }

    private void write(HttpExchange ex, int status, String reason, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Server", "pve-api-daemon/3.0");
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes {@code target} an exact copy of {@code source} (keeping the target directory itself). */
    static void replaceTree(Path source, Path target) {
        try {
            if (Files.exists(target)) {
                try (var children = Files.list(target)) {
                    for (Path c : children.toList()) {
                        deleteTree(c);
                    }
                }
            } else {
                Files.createDirectories(target);
            }
            if (!Files.exists(source)) {
                return;
            }
            try (var walk = Files.walk(source)) {
                for (Path s : walk.toList()) {
                    Path t = target.resolve(source.relativize(s).toString());
                    if (Files.isDirectory(s)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(s, t);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long treeSize(Path dir) {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Backup(String volid, int vmid, Instant ctime, String notes, Map<String, String> config, Path data,
                          long size) { }

    /** One simulated container; guarded by the simulator's state lock. */
    private final class Ct {
        final int vmid;
        String node;
        final Path dir;
        final Map<String, String> config = new LinkedHashMap<>();
        final KeyPair hostKey;
        boolean running;
        String ip;

        Ct(int vmid, String node, Path dir) {
            this.vmid = vmid;
            this.node = node;
            this.dir = dir;
            try {
                Files.createDirectories(dir);
                KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
                gen.initialize(256);
                this.hostKey = gen.generateKeyPair();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void assignIp() {
            String net = config.getOrDefault("net0", "");
            Matcher m = Pattern.compile("(?:^|,)ip=([0-9.]+)/\\d+").matcher(net);
            if (m.find()) {
                ip = m.group(1);
            } else if (net.contains("ip=dhcp")) {
                if (ip == null) {
                    int n = dhcp.incrementAndGet();
                    ip = "10.99." + (n / 250) + "." + (n % 250 + 2);
                }
            } else {
                ip = null;
            }
        }

        String mac() {
            return String.format("BC:24:11:%02X:%02X:%02X", (vmid >> 16) & 0xff, (vmid >> 8) & 0xff, vmid & 0xff);
        }

        long rootfsBytes() {
            Matcher m = Pattern.compile("size=(\\d+(\\.\\d+)?)([KMGT])?").matcher(config.getOrDefault("rootfs", ""));
            return m.find() ? Math.round(Double.parseDouble(m.group(1)) * unit(m.group(3))) : 0;
        }

        String digest() {
            try {
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                return HexFormat.of().formatHex(sha1.digest(config.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        String hostKeyFingerprint() {
            return SshFingerprints.sha256(hostKey.getPublic());
        }

        CtView view() {
            return new CtView(vmid, node, running, config.get("lock"), Map.copyOf(config), ip, dir, hostKey);
        }
    }

    /** One node of the simulated cluster. */
    private static final class SimNode {
        final String name;
        final int cpus;
        final long memory;
        final long disk;
        final Semaphore workers;
        final int workerCount;
        final String fingerprint;
        final AtomicInteger busy = new AtomicInteger();
        final AtomicInteger maxBusy = new AtomicInteger();
        boolean online = true;

        SimNode(String name, int cpus, long memory, long disk, int workers) {
            this.name = name;
            this.cpus = cpus;
            this.memory = memory;
            this.disk = disk;
            this.workers = new Semaphore(workers, true);
            this.workerCount = workers;
            byte[] fp = new byte[32];
            new java.util.Random(name.hashCode()).nextBytes(fp);
            this.fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(fp);
        }
    }

    /** Configures a {@link ProxmoxSimulator}. */
    public static final class Builder {
        private final List<SimNode> nodes = new ArrayList<>();
        private final Map<String, String> tokens = new HashMap<>();
        private final Map<String, String> users = new HashMap<>();
        private final Map<String, Map<String, String>> templates = new LinkedHashMap<>();
        private SimTimings timings = SimTimings.fast();
        private int workersPerNode = 3;
        private Duration proxyTimeout = Duration.ofSeconds(30);
        private Duration unauthorizedDelay = Duration.ofSeconds(3);
        private Duration ticketLifetime = Duration.ofHours(2);
        private SSLContext tls;

        private Builder() {
        }

        /** Adds a node with {@code cpus} cores, memory and disk in bytes. */
        public Builder node(String name, int cpus, long memoryBytes, long diskBytes) {
            nodes.add(new SimNode(name, cpus, memoryBytes, diskBytes, workersPerNode));
            return this;
        }

        /** Accepts this API token ({@code user@realm!id}). */
        public Builder token(String tokenId, String secret) {
            tokens.put(tokenId, secret);
            return this;
        }

        /** Accepts this user for the ticket flow. */
        public Builder user(String username, String password) {
            users.put(username, password);
            return this;
        }

        /** Offers an LXC template ({@code local:vztmpl/…}) whose root file system holds these files. */
        public Builder template(String volid, Map<String, String> files) {
            templates.put(volid, Map.copyOf(files));
            return this;
        }

        /** Task durations. */
        public Builder timings(SimTimings timings) {
            this.timings = timings;
            return this;
        }

        /** pvedaemon workers per node (Proxmox: 3); set before adding nodes. */
        public Builder workersPerNode(int n) {
            this.workersPerNode = n;
            return this;
        }

        /** How long the proxy waits for a busy node's worker before answering 596 (Proxmox: 30 s). */
        public Builder proxyTimeout(Duration d) {
            this.proxyTimeout = d;
            return this;
        }

        /** Delay of every 401 (Proxmox: 3 s). */
        public Builder unauthorizedDelay(Duration d) {
            this.unauthorizedDelay = d;
            return this;
        }

        /** Ticket lifetime (Proxmox: 2 h). */
        public Builder ticketLifetime(Duration d) {
            this.ticketLifetime = d;
            return this;
        }

        /** Serve HTTPS with this context (for TLS trust tests). */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        public ProxmoxSimulator build() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("add at least one node");
            }
            return new ProxmoxSimulator(this);
        }
    }

    /** Reads the whole stream; for tests that inspect files. */
    static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
