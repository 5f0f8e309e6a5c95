package dev.berth.examples.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.berth.core.Berth;
import dev.berth.core.BerthConfig;
import dev.berth.core.BerthModule;
import dev.berth.core.backup.local.LocalBackupSettings;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.integrations.IntegrationSettings;
import dev.berth.core.integrations.Integrations;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.StepListener;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.placement.PlacementStrategies;
import dev.berth.core.plan.Plan;
import dev.berth.core.store.Database;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.examples.server.auth.ApiKeyStore;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.examples.server.metrics.ServerMetrics;
import dev.berth.examples.server.metrics.TimedPlacement;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.Providers;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.SecretValue;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.stripe.StripeBilling;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The example server running: Berth (database, engine, runtimes) and the HTTP API over it. {@link #start}
 * builds everything from a {@link ServerConfig}; {@link #close()} stops the API, then Berth.
 */
public final class BerthServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BerthServer.class);

    private final Injector injector;
    private final Berth berth;
    private final Integrations integrations;
    private final Javalin app;
    private final SecretValue firstAdminKey;

    private BerthServer(Injector injector, Berth berth, Integrations integrations, Javalin app, SecretValue firstAdminKey) {
        this.injector = injector;
        this.berth = berth;
        this.integrations = integrations;
        this.app = app;
        this.firstAdminKey = firstAdminKey;
    }

    /** Starts a server with the configured backup store (a local directory). */
    public static BerthServer start(ServerConfig config) {
        return start(config, null);
    }

    /**
     * Starts a server.
     *
     * @param config      the configuration
     * @param backupStore the backup store, or null for the configured local directory
     * @throws InvalidSpecException naming the setting that is wrong
     */
    public static BerthServer start(ServerConfig config, BackupStore backupStore) {
        return start(config, backupStore, Clock.systemUTC());
    }

    /**
     * Starts a server whose engine and billing read time from {@code clock} (tests move a fake clock to pass
     * grace periods and retention).
     */
    public static BerthServer start(ServerConfig config, BackupStore backupStore, Clock clock) {
        Path dataDir = Path.of(config.dataDir()).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data folder " + dataDir, e);
        }
        Map<String, RuntimeProvider> providers = new LinkedHashMap<>();
        Berth berth = null;
        Integrations integrations = null;
        try {
            config.providers().forEach((kind, settings) -> providers.put(kind, Providers.create(kind, settings == null ? Map.of() : settings)));
            if (providers.isEmpty()) throw new InvalidSpecException("providers", "configure at least one runtime provider");
            Catalog catalog = Catalog.builtin();
            for (String file : config.catalogFiles()) catalog = catalog.merge(Catalog.load(Path.of(file)));
            EngineSettings engine = engine(config.engine());
            ServerMetrics metrics = new ServerMetrics();
            integrations = Integrations.create(new IntegrationSettings(config.dns(), config.smtp(), new LocalBackupSettings(
                    config.backups().directory() == null || config.backups().directory().isBlank()
                            ? dataDir.resolve("backups") : Path.of(config.backups().directory())), config.notifications()),
                    clock);
            BackupStore backups = backupStore != null ? backupStore : integrations.backupStore();
            String keysetFile = config.keysetFile() == null || config.keysetFile().isBlank()
                    ? dataDir.resolve("keyset.json").toString() : config.keysetFile();
            BerthConfig berthConfig = new BerthConfig(database(config.database(), dataDir), Keysets.loadOrCreate(Path.of(keysetFile)),
                    List.copyOf(providers.values()), catalog,
                    new TimedPlacement(PlacementStrategies.byName(config.engine().placement()), metrics.placement()),
                    integrations.dns().orElse(null), integrations.notifier(), backups, clock, engine,
                    StepListener.NONE, config.notifications());
            Injector injector = Guice.createInjector(new BerthModule(berthConfig),
                    new ServerModule(config, engine, new Runtimes(providers), metrics, clock));
            berth = injector.getInstance(Berth.class);
            metrics.countFrom(injector.getInstance(Database.class));
            seedPlans(berth, config.plans());
            registerNodes(berth, config.nodes(), providers);
            berth.start();
            stripe(injector).ifPresent(StripeBilling::start);
            ApiKeyStore keys = injector.getInstance(ApiKeyStore.class);
            SecretValue adminKey = keys.hasAdminKey() ? null : keys.issue("admin", Scope.ADMIN).secret();
            Javalin app = HttpApp.create(injector).start(config.http().host(), config.http().port());
            log.info("Berth server listening on {}:{} (data in {})", config.http().host(), app.port(), dataDir);
            if (!config.metrics().protectedByToken()) {
                log.warn("/metrics is open to anyone who reaches {}:{}; set metrics.token ({}) to require a bearer token",
                        config.http().host(), app.port(), ConfigLoader.envName("metrics.token"));
            }
            return new BerthServer(injector, berth, integrations, app, adminKey);
        } catch (RuntimeException e) {
            if (berth != null) berth.close(); // closes the providers too
            else providers.values().forEach(RuntimeProvider::close);
            if (integrations != null) integrations.close();
            throw e;
        }
    }

    /** The port the API listens on. */
    public int port() {
        return app.port();
    }

    /** The API's base URI on the loopback interface. */
    public URI localUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The admin key generated by this start, when the database had none: to be shown once and never again. */
    public Optional<SecretValue> firstAdminKey() {
        return Optional.ofNullable(firstAdminKey);
    }

    /** Berth behind the API. */
    public Berth berth() {
        return berth;
    }

    /** The Guice injector (for tests and embedding). */
    public Injector injector() {
        return injector;
    }

    /** The Javalin application (tests compare its routes with the OpenAPI document). */
    public Javalin app() {
        return app;
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            try {
                stripe(injector).ifPresent(StripeBilling::close);
            } finally {
                try {
                    berth.close();
                } finally {
                    integrations.close();
                }
            }
        }
    }

    /** Stripe billing, when configured. */
    public Optional<StripeBilling> stripe() {
        return stripe(injector);
    }

    private static Optional<StripeBilling> stripe(Injector injector) {
        return injector.getInstance(Key.get(new TypeLiteral<Optional<StripeBilling>>() { }));
    }

    private static DatabaseSettings database(ServerConfig.DatabaseConfig db, Path dataDir) {
        if (db.url() == null || db.url().isBlank()) {
            DatabaseSettings h2 = DatabaseSettings.h2File(dataDir.toString());
            return new DatabaseSettings(h2.jdbcUrl(), h2.user(), h2.password(), db.maxPool());
        }
        return new DatabaseSettings(db.url(), db.user(), db.password() == null ? "" : db.password(), db.maxPool());
    }

    private static EngineSettings engine(ServerConfig.EngineConfig e) {
        EngineSettings d = EngineSettings.defaults();
        return new EngineSettings(d.schedulerName(), e.workerThreads(), e.pollInterval(), d.heartbeatInterval(),
                d.missedHeartbeats(), d.retryBase(), d.retryMax(), d.maxAttempts(), e.readinessTimeout(), e.baseDomain(),
                d.defaultTimezone(), e.licenceAcknowledgements(), d.recurringJobs(), e.jobInterval());
    }

    /** Creates the configured plans that do not exist yet; plans edited through the API keep their edits. */
    private static void seedPlans(Berth berth, List<Plan> plans) {
        for (Plan plan : plans) {
            if (berth.plans().find(plan.id()).isEmpty()) berth.plans().save(plan);
        }
    }

    /**
     * Registers the configured nodes. Capacity left out is read from the runtime; a node that exists keeps its
     * status, so a drained node stays drained across restarts.
     */
    private static void registerNodes(Berth berth, List<ServerConfig.NodeConfig> nodes, Map<String, RuntimeProvider> providers) {
        for (int i = 0; i < nodes.size(); i++) {
            ServerConfig.NodeConfig n = nodes.get(i);
            String at = "nodes[" + i + "]";
            RuntimeProvider provider = providers.get(n.provider());
            if (provider == null) {
                throw new InvalidSpecException(at + ".provider", "no provider '" + n.provider() + "' is configured " + providers.keySet());
            }
            String target = n.target();
            Capacity capacity = n.cpuMillis() == null || n.memoryBytes() == null || n.diskBytes() == null ? null
                    : new Capacity(n.cpuMillis(), n.memoryBytes(), n.diskBytes());
            if (capacity == null || target == null) {
                List<NodeCapacity> reported = provider.nodes();
                NodeCapacity match = reported.stream().filter(c -> c.target().equals(n.target() == null ? n.id() : n.target()))
                        .findFirst().orElse(target == null && reported.size() == 1 ? reported.get(0) : null);
                if (match == null) {
                    throw new InvalidSpecException(at + ".target", "runtime " + n.provider() + " reports no target "
                            + (target == null ? n.id() : target) + "; it reports " + reported.stream().map(NodeCapacity::target).toList());
                }
                target = match.target();
                if (capacity == null) {
                    capacity = new Capacity(orElse(n.cpuMillis(), match.cpuMillis()), orElse(n.memoryBytes(), match.memoryBytes()),
                            orElse(n.diskBytes(), match.diskBytes()));
                }
            }
            NodeStatus status = berth.nodes().find(n.id()).map(Node::status).orElse(NodeStatus.ONLINE);
            Overcommit overcommit = new Overcommit(orElse(n.overcommitCpu(), 1.0), orElse(n.overcommitMemory(), 1.0), 1.0);
            berth.nodes().register(new Node(n.id(), n.provider(), target, n.labels(), capacity, overcommit,
                    orElse(n.reservedFraction(), 0.0), n.publicAddress(), status));
        }
    }

    private static <T> T orElse(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
