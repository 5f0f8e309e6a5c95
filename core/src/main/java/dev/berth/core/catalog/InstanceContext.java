package dev.berth.core.catalog;

/**
 * The per-instance values an app template's env is rendered with.
 *
 * @param instanceId Berth's id of the instance ({@code ${instanceId}})
 * @param tenantId   the operator's id of the tenant ({@code ${tenantId}})
 * @param slug       the instance's short name, a DNS label ({@code ${slug}})
 * @param hostname   public host name without scheme or path, "acme.apps.example.com" ({@code ${host}};
 *                   {@code ${url}} is "https://" + hostname)
 * @param timezone   IANA time zone for the app, "Europe/Berlin" ({@code ${timezone}}); {@code null} means UTC
 * @param owner      the customer who owns the instance ({@code ${owner.email}}, {@code ${owner.firstName}},
 *                   {@code ${owner.lastName}}); {@code null} when unknown, and then a template that uses it fails
 */
public record InstanceContext(String instanceId, String tenantId, String slug, String hostname, String timezone,
                              Owner owner) {

    public InstanceContext {
        if (timezone == null) {
            timezone = "UTC";
        }
    }

    /** Without an owner. */
    public InstanceContext(String instanceId, String tenantId, String slug, String hostname, String timezone) {
        this(instanceId, tenantId, slug, hostname, timezone, null);
    }

    /**
     * The tenant who owns the instance, as apps need it for the admin account.
     *
     * @param email     the tenant's e-mail address
     * @param firstName first name (for a company: its first word)
     * @param lastName  last name (for a company: the rest of its name, or the first word again)
     */
    public record Owner(String email, String firstName, String lastName) {

        /**
         * The owner for a tenant's e-mail and display name. The name is split at its first blank, and reduced
         * to letters, digits, blanks, dots and dashes: it ends up in app configuration (PHP, env files), where
         * quotes or other characters could break out of a string.
         */
        public static Owner of(String email, String name) {
            String clean = name == null ? "" : name.replaceAll("[^\\p{L}\\p{N} .-]", "").strip().replaceAll("\\s+", " ");
            if (clean.isEmpty()) {
                clean = "Owner";
            }
            int blank = clean.indexOf(' ');
            String first = blank < 0 ? clean : clean.substring(0, blank);
            String last = blank < 0 ? clean : clean.substring(blank + 1);
            return new Owner(email, first, last);
        }
    }
}
