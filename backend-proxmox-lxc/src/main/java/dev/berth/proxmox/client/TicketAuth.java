package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.UnavailableException;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Puts the credentials on a request: the {@code PVEAPIToken} header, or the ticket cookie (plus the CSRF token
 * on writes) of a user logged in with a password. One ticket is shared by all calls and renewed after
 * {@code renewAfter}, before Proxmox's 2 h lifetime ends. Thread-safe.
 */
final class TicketAuth {

    private static final Logger LOG = LoggerFactory.getLogger(TicketAuth.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxmoxCredentials credentials;
    private final OkHttpClient http;
    private final HttpUrl apiBase;
    private final Clock clock;
    private final Duration renewAfter;

    private final Object ticketLock = new Object();
    private Ticket ticket; // guarded by ticketLock

    TicketAuth(ProxmoxCredentials credentials, OkHttpClient http, HttpUrl apiBase, Clock clock, Duration renewAfter) {
        this.credentials = credentials;
        this.http = http;
        this.apiBase = apiBase;
        this.clock = clock;
        this.renewAfter = renewAfter;
    }

    /** True for a user and password: a 401 may then mean an expired ticket, worth one fresh login. */
    boolean usesTickets() {
        return credentials instanceof ProxmoxCredentials.Password;
    }

    void authenticate(Request.Builder rb, boolean write) {
        if (credentials instanceof ProxmoxCredentials.ApiToken token) {
            rb.header("Authorization", "PVEAPIToken=" + token.tokenId() + "=" + token.secret().reveal());
            return;
        }
        Ticket t = currentTicket();
        rb.header("Cookie", "PVEAuthCookie=" + URLEncoder.encode(t.ticket.reveal(), StandardCharsets.UTF_8));
        if (write) {
            rb.header("CSRFPreventionToken", t.csrf.reveal());
        }
    }

    void invalidateTicket() {
        synchronized (ticketLock) {
            ticket = null;
        }
    }

    private Ticket currentTicket() {
        synchronized (ticketLock) {
            Instant now = clock.instant();
            if (ticket != null && now.isBefore(ticket.obtainedAt.plus(renewAfter))) {
                return ticket;
            }
            ProxmoxCredentials.Password pw = (ProxmoxCredentials.Password) credentials;
            if (ticket != null) {
                // renew before the 2 h lifetime ends by presenting the current ticket as the password
                try {
                    ticket = login(pw.username(), ticket.ticket);
                    return ticket;
                } catch (AuthenticationException expired) {
                    ticket = null;
                }
            }
            ticket = login(pw.username(), pw.password());
            return ticket;
        }
    }

    private Ticket login(String username, SecretValue password) {
        FormBody body = new FormBody.Builder(StandardCharsets.UTF_8)
                .add("username", username)
                .add("password", password.reveal())
                .build();
        Request request = new Request.Builder().url(apiBase.newBuilder().addPathSegments("access/ticket").build())
                .post(body).build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody rb = response.body();
            String text = rb == null ? "" : rb.string();
            JsonNode json = text.isBlank() ? null : JSON.readTree(text);
            if (!response.isSuccessful()) {
                throw ProxmoxErrors.fromResponse(response.code(), response.message(), json, "POST access/ticket");
            }
            JsonNode data = json == null ? null : json.get("data");
            if (data == null || !data.hasNonNull("ticket") || !data.hasNonNull("CSRFPreventionToken")) {
                throw new AuthenticationException("Proxmox issued no ticket for " + username
                        + (data != null && data.has("NeedTFA") ? " (a second factor is required; use an API token)" : ""));
            }
            LOG.debug("obtained a ticket for {}", username);
            return new Ticket(SecretValue.of(data.get("ticket").asText()),
                    SecretValue.of(data.get("CSRFPreventionToken").asText()), clock.instant());
        } catch (IOException e) {
            throw new UnavailableException("cannot reach Proxmox at " + apiBase.host() + " to log in: " + e.getMessage(), e);
        }
    }

    private record Ticket(SecretValue ticket, SecretValue csrf, Instant obtainedAt) { }
}
