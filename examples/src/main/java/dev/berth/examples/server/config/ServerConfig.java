package dev.berth.examples.server.config;

import dev.berth.core.dns.cloudflare.CloudflareSettings;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.notify.smtp.SmtpSettings;
import dev.berth.core.plan.Plan;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server's whole configuration, read by {@link ConfigLoader} from the built-in defaults, an optional YAML
 * file and {@code BERTH_…} environment variables. Secrets (database password) never appear in {@link #toString()}.
 *
 * @param http         where and how the HTTP API listens
 * @param dataDir      folder for the embedded database, the generated keyset and local backups
 * @param database     the database; no URL means H2 in {@code dataDir}
 * @param keysetFile   the Tink keyset that encrypts instance secrets; generated in {@code dataDir} when absent
 * @param engine       lifecycle engine settings
 * @param catalogFiles operator catalog files merged over the built-in catalog, in order
 * @param providers    runtime providers by kind, each with its factory's configuration
 * @param nodes        nodes registered (or updated) on every start
 * @param plans        plans created on first start; later edits through the API are kept
 * @param backups      where backups are stored
 * @param dns          Cloudflare DNS records per instance (core's CloudflareSettings), or null for none (the operator
 *                     points a wildcard record at the nodes)
 * @param smtp         the mail server (core's SmtpSettings), or null to only log messages
 * @param notifications who gets operator messages, when customers are warned, how long sending is retried
 * @param stripe       Stripe billing (off while its API key is empty)
 * @param metrics      who may read {@code /metrics}
 */
public record ServerConfig(Http http, String dataDir, DatabaseConfig database, String keysetFile, EngineConfig engine,
                           List<String> catalogFiles, Map<String, Map<String, String>> providers, List<NodeConfig> nodes,
                           List<Plan> plans, BackupConfig backups, CloudflareSettings dns, SmtpSettings smtp,
                           NotificationSettings notifications, StripeConfig stripe, MetricsConfig metrics) {

    public ServerConfig {
        stripe = stripe == null ? new StripeConfig(null, null, null, null) : stripe;
        metrics = metrics == null ? new MetricsConfig(null) : metrics;
        catalogFiles = catalogFiles == null ? List.of() : List.copyOf(catalogFiles);
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        plans = plans == null ? List.of() : List.copyOf(plans);
    }

    /**
     * The HTTP listener.
     *
     * @param host         interface to bind ("0.0.0.0" for all)
     * @param port         port, 0 for a random free one
     * @param maxBodyBytes largest accepted request body; larger ones get 413
     * @param rateLimit    per-API-key request budget
     */
    public record Http(String host, int port, long maxBodyBytes, RateLimit rateLimit) {
        public Http {
            if (port < 0 || port > 65535) throw new InvalidSpecException("port", "must be 0-65535");
            if (maxBodyBytes < 1024) throw new InvalidSpecException("maxBodyBytes", "must be at least 1024");
        }
    }

    /**
     * A token bucket per API key: {@code burst} requests at once, refilled at {@code requestsPerMinute}.
     *
     * @param requestsPerMinute sustained rate
     * @param burst             bucket size
     */
    public record RateLimit(long requestsPerMinute, long burst) {
        public RateLimit {
            if (requestsPerMinute < 1) throw new InvalidSpecException("requestsPerMinute", "must be at least 1");
            if (burst < 1) throw new InvalidSpecException("burst", "must be at least 1");
        }
    }

    /**
     * {@code /metrics}: open to whoever reaches the port while no token is set (the server warns once at start), else
     * only with {@code Authorization: Bearer <token>}. The token never appears in {@link #toString()} or a log.
     *
     * @param token the bearer token Prometheus sends (at least 16 characters), or null for open metrics
     */
    public record MetricsConfig(SecretValue token) {
        public MetricsConfig {
            if (token != null && token.length() < 16) throw new InvalidSpecException("token", "must be at least 16 characters");
        }

        /** True when {@code /metrics} needs the token. */
        public boolean protectedByToken() {
            return token != null;
        }

        @Override
        public String toString() {
            return "MetricsConfig[token=" + (token == null ? "none" : "****") + "]";
        }
    }

    /**
     * The database.
     *
     * @param url      JDBC URL, or null/blank for H2 in the data folder
     * @param user     user
     * @param password password (never printed)
     * @param maxPool  connection pool size
     */
    public record DatabaseConfig(String url, String user, String password, int maxPool) {
        @Override
        public String toString() {
            return "DatabaseConfig[url=" + url + ", user=" + user + ", password=****, maxPool=" + maxPool + "]";
        }
    }

    /**
     * Engine settings the operator usually changes; the rest keep {@code EngineSettings.defaults()}.
     *
     * @param baseDomain              instances get {@code slug.baseDomain}
     * @param placement               placement strategy name (least-instances, spread, bin-pack, balanced)
     * @param workerThreads           operations run in parallel
     * @param pollInterval            how often workers look for due operations
     * @param readinessTimeout        how long provisioning waits for an instance to answer
     * @param licenceAcknowledgements app ids whose licence the operator has acknowledged
     * @param jobInterval             how often the recurring jobs (sweeper, queued placement, billing enforcement,
     *                                periodic backups; health and reconcile at 5×) run
     */
    public record EngineConfig(String baseDomain, String placement, int workerThreads, Duration pollInterval,
                               Duration readinessTimeout, Set<String> licenceAcknowledgements, Duration jobInterval) { }

    /**
     * A node registered on start.
     *
     * @param id               node id (lower-case DNS label)
     * @param provider         provider kind (a key of {@code providers})
     * @param target           the provider's name for the node, or null for the id
     * @param labels           placement labels
     * @param cpuMillis        capacity; null asks the provider
     * @param memoryBytes      capacity; null asks the provider
     * @param diskBytes        capacity; null asks the provider
     * @param overcommitCpu    CPU overcommit ratio
     * @param overcommitMemory memory overcommit ratio
     * @param reservedFraction share kept free
     * @param publicAddress    address DNS records point at, or null
     */
    public record NodeConfig(String id, String provider, String target, Map<String, String> labels, Long cpuMillis,
                             Long memoryBytes, Long diskBytes, Double overcommitCpu, Double overcommitMemory,
                             Double reservedFraction, String publicAddress) { }

    /**
     * Backup storage.
     *
     * @param directory folder for backup archives; null or blank for {@code dataDir/backups}
     */
    public record BackupConfig(String directory) { }

    /**
     * Stripe billing ({@code billing-stripe}): Checkout, the customer portal and {@code POST /webhooks/stripe}.
     * Secrets never appear in {@link #toString()}.
     *
     * @param apiKey            Stripe secret key; empty: billing through Stripe is off
     * @param webhookSecret     the webhook endpoint's signing secret ({@code whsec_…}); required with an API key
     * @param apiBase           Stripe API base URL, null for Stripe itself
     * @param reconcileInterval how often subscriptions are compared with Stripe's; null: hourly
     */
    public record StripeConfig(String apiKey, String webhookSecret, String apiBase, Duration reconcileInterval) {
        public StripeConfig {
            if (enabled(apiKey) && (webhookSecret == null || webhookSecret.isBlank())) {
                throw new InvalidSpecException("webhookSecret", "is required when stripe.apiKey is set");
            }
        }

        /** True when an API key is configured. */
        public boolean enabled() {
            return enabled(apiKey);
        }

        private static boolean enabled(String key) {
            return key != null && !key.isBlank();
        }

        @Override
        public String toString() {
            return "StripeConfig[apiKey=" + (enabled() ? "****" : "none") + ", webhookSecret=****, apiBase=" + apiBase
                    + ", reconcileInterval=" + reconcileInterval + "]";
        }
    }
}
