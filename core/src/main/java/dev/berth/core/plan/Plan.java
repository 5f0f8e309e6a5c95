package dev.berth.core.plan;

import dev.berth.spi.ResourceLimits;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a customer buys: resources, backups, isolation and the lifecycle periods that non-payment triggers.
 *
 * @param id             stable identifier, lower-case letters, digits and dashes ("basic", "pro-2025")
 * @param name           display name
 * @param resources      CPU, memory and disk requests and limits
 * @param backupPolicy   periodic backups and their retention
 * @param isolation      shared (burstable, overcommitted) or dedicated
 * @param gracePeriod    how long an instance keeps running after payment fails before it is suspended
 * @param retention      how long a suspended instance of an ended subscription is kept before termination
 * @param priceIds       billing gateway price ids, keyed by gateway ("stripe" → "price_…")
 * @param placementStrategy name of the placement strategy for this plan's instances ("bin-pack"), or null for
 *                       the one Berth is configured with
 * @param antiAffinity   spread one tenant's instances of this plan over different nodes when possible
 */
public record Plan(String id, String name, ResourceLimits resources, BackupPolicy backupPolicy,
                   Isolation isolation, Duration gracePeriod, Duration retention, Map<String, String> priceIds,
                   String placementStrategy, boolean antiAffinity) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern STRATEGY = Pattern.compile("[a-z0-9][a-z0-9-]{0,49}");

    /** A plan placed by the configured strategy, without anti-affinity. */
    public Plan(String id, String name, ResourceLimits resources, BackupPolicy backupPolicy, Isolation isolation,
                Duration gracePeriod, Duration retention, Map<String, String> priceIds) {
        this(id, name, resources, backupPolicy, isolation, gracePeriod, retention, priceIds, null, false);
    }

    public Plan {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidSpecException("id", "must be 1-63 lower-case letters, digits or dashes");
        }
        if (name == null || name.isBlank()) {
            throw new InvalidSpecException("name", "must not be blank");
        }
        if (resources == null) {
            throw new InvalidSpecException("resources", "is required");
        }
        backupPolicy = Objects.requireNonNullElse(backupPolicy, BackupPolicy.NONE);
        isolation = Objects.requireNonNullElse(isolation, Isolation.SHARED);
        gracePeriod = Objects.requireNonNullElse(gracePeriod, Duration.ofDays(7));
        retention = Objects.requireNonNullElse(retention, Duration.ofDays(30));
        if (gracePeriod.isNegative()) {
            throw new InvalidSpecException("gracePeriod", "must not be negative");
        }
        if (retention.isNegative()) {
            throw new InvalidSpecException("retention", "must not be negative");
        }
        priceIds = priceIds == null ? Map.of() : Map.copyOf(priceIds);
        if (placementStrategy != null && !STRATEGY.matcher(placementStrategy).matches()) {
            throw new InvalidSpecException("placementStrategy", "must be a strategy name such as \"bin-pack\" (lower-case letters, digits, dashes)");
        }
    }

    /** The same plan placed by {@code strategy} (null: the configured one), with or without anti-affinity. */
    public Plan withPlacement(String strategy, boolean antiAffinity) {
        return new Plan(id, name, resources, backupPolicy, isolation, gracePeriod, retention, priceIds, strategy, antiAffinity);
    }

    /** A shared plan with default grace (7 days) and retention (30 days). */
    public static Plan of(String id, String name, ResourceLimits resources, BackupPolicy backups) {
        return new Plan(id, name, resources, backups, Isolation.SHARED, null, null, Map.of());
    }
}
