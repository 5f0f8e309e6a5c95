package dev.berth.spi.dns;

/**
 * Creates the public DNS record of an instance's host name. Both methods are idempotent by host name and
 * synchronous; failures are {@link dev.berth.spi.error.BerthException}s that say whether a retry may help.
 */
public interface DnsProvider {

    /**
     * Creates or updates the record so that {@code hostname} points at {@code target} (an IP address for an
     * A/AAAA record, a host name for a CNAME). Calling it again with the same values changes nothing.
     */
    void upsert(String hostname, String target);

    /** Deletes the record of {@code hostname}. Deleting a missing record succeeds. */
    void delete(String hostname);
}
