package dev.berth.core.dns.cloudflare;

import dev.berth.core.dns.cloudflare.CloudflareClient.DnsRecord;
import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.wait.Poll;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link DnsProvider} on Cloudflare's v4 API. An instance gets an A record (IPv4 target), an AAAA record (IPv6)
 * or a CNAME (host name target) named after its host name, with the configured proxied flag and TTL. Upsert is
 * idempotent by name: it reads the records of that name first and creates, updates or removes so that exactly
 * one address record remains. In wildcard mode both calls do nothing: the operator's {@code *.baseDomain} record
 * answers for every instance.
 */
public final class CloudflareDnsProvider implements DnsProvider, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CloudflareDnsProvider.class);
    /** Put on every record Berth creates, so that an operator browsing the zone knows where it came from. */
    static final String COMMENT = "managed by Berth";
    private static final Set<String> ADDRESS_TYPES = Set.of("A", "AAAA", "CNAME");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern HOST = Pattern.compile("(?i)[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*\\.?");

    private final CloudflareSettings settings;
    private final OkHttpClient http;
    private final CloudflareClient client;

    CloudflareDnsProvider(CloudflareSettings settings, OkHttpClient http, CloudflareClient.Sleeper sleeper) {
        this.settings = settings;
        this.http = http;
        this.client = settings.wildcard() ? null : new CloudflareClient(settings, http, sleeper);
    }

    /** A provider with its own HTTP client; {@link #close()} releases it. */
    public static CloudflareDnsProvider create(CloudflareSettings settings) {
        OkHttpClient http = new OkHttpClient.Builder()
                .callTimeout(settings.requestTimeout())
                .connectTimeout(settings.requestTimeout())
                .readTimeout(settings.requestTimeout())
                .build();
        return new CloudflareDnsProvider(settings, http, d -> Poll.pause(d, "Cloudflare's rate limit"));
    }

    @Override
    public void upsert(String hostname, String target) {
        String name = requireHost("hostname", hostname);
        if (settings.wildcard()) {
            return;
        }
        String type = recordType(target);
        DnsRecord desired = new DnsRecord(null, type, name, target, settings.proxied(), settings.ttl(), COMMENT);
        try {
            converge(name, desired);
        } catch (ConflictException e) {
            // another writer created the same record between our read and our create: read again and converge
            log.info("conflict while creating the record of {}, reading it again: {}", name, e.getMessage());
            converge(name, desired);
        }
    }

    private void converge(String name, DnsRecord desired) {
        List<DnsRecord> existing = client.list(name).stream().filter(r -> ADDRESS_TYPES.contains(r.type())).toList();
        DnsRecord keep = existing.stream().filter(r -> same(r, desired)).findFirst()
                .orElseGet(() -> existing.stream().filter(r -> r.type().equals(desired.type())).findFirst().orElse(null));
        // remove every other address record of this name first: a CNAME cannot coexist with A/AAAA records
        for (DnsRecord r : existing) {
            if (r != keep) {
                client.delete(r.id(), name);
            }
        }
        if (keep == null) {
            client.create(desired);
            log.info("created {} record {} -> {}", desired.type(), name, desired.content());
        } else if (!same(keep, desired)) {
            client.update(keep.id(), desired);
            log.info("updated {} record {} -> {}", desired.type(), name, desired.content());
        }
    }

    @Override
    public void delete(String hostname) {
        String name = requireHost("hostname", hostname);
        if (settings.wildcard()) {
            return;
        }
        for (DnsRecord r : client.list(name)) {
            if (ADDRESS_TYPES.contains(r.type())) {
                client.delete(r.id(), name);
                log.info("deleted {} record {}", r.type(), name);
            }
        }
    }

    /** A for an IPv4 literal, AAAA for an IPv6 literal, CNAME for a host name. Never resolves anything. */
    static String recordType(String target) {
        if (target == null || target.isBlank()) {
            throw new InvalidSpecException("target", "must be an IP address or a host name");
        }
        if (IPV4.matcher(target).matches()) {
            literal(target);
            return "A";
        }
        if (target.contains(":")) {
            literal(target);
            return "AAAA";
        }
        requireHost("target", target);
        return "CNAME";
    }

    private static void literal(String ip) {
        try {
            InetAddress.getByName(ip); // a literal is parsed, never looked up
        } catch (UnknownHostException e) {
            throw new InvalidSpecException("target", "'" + ip + "' is not a valid IP address");
        }
    }

    private static String requireHost(String field, String host) {
        if (host == null || host.length() > 253 || !HOST.matcher(host).matches()) {
            throw new InvalidSpecException(field, "'" + host + "' is not a DNS name");
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private boolean same(DnsRecord r, DnsRecord desired) {
        return r.type().equals(desired.type())
                && sameContent(r.type(), r.content(), desired.content())
                && Boolean.valueOf(settings.proxied()).equals(r.proxied())
                // Cloudflare reports ttl 1 (automatic) for proxied records whatever was asked
                && (settings.proxied() || Integer.valueOf(settings.ttl()).equals(r.ttl()));
    }

    private static boolean sameContent(String type, String a, String b) {
        if (a == null || b == null) return false;
        if (type.equals("CNAME")) {
            return stripDot(a).equalsIgnoreCase(stripDot(b));
        }
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // IPv6 has many spellings
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Releases the HTTP client's threads and connections. */
    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
