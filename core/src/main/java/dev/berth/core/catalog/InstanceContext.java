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
 */
public record InstanceContext(String instanceId, String tenantId, String slug, String hostname, String timezone) {

    public InstanceContext {
        if (timezone == null) {
            timezone = "UTC";
        }
    }
}
