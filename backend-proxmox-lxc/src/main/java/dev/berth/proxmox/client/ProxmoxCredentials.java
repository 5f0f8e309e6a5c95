package dev.berth.proxmox.client;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;

import java.util.Objects;
import java.util.regex.Pattern;

/** How the client authenticates: an API token (preferred, stateless) or a user's password (ticket + CSRF). */
public sealed interface ProxmoxCredentials {

    /**
     * An API token: header {@code Authorization: PVEAPIToken=user@realm!tokenid=secret}.
     *
     * @param tokenId {@code user@realm!tokenid}
     * @param secret  the token's UUID secret
     */
    record ApiToken(String tokenId, SecretValue secret) implements ProxmoxCredentials {
        private static final Pattern TOKEN_ID = Pattern.compile("^[^\\s:!@]+@[A-Za-z][A-Za-z0-9._-]*![A-Za-z][A-Za-z0-9._-]*$");

        public ApiToken {
            if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
                throw new InvalidSpecException("tokenId", "must look like user@realm!tokenid");
            }
            Objects.requireNonNull(secret, "secret");
        }
    }

    /**
     * A user and password, exchanged for a ticket at {@code POST /access/ticket}; the ticket is sent as the
     * {@code PVEAuthCookie} cookie and every write carries the {@code CSRFPreventionToken} header.
     *
     * @param username {@code user@realm}
     * @param password the password (never logged)
     */
    record Password(String username, SecretValue password) implements ProxmoxCredentials {
        public Password {
            if (username == null || !username.contains("@")) {
                throw new InvalidSpecException("username", "must look like user@realm");
            }
            Objects.requireNonNull(password, "password");
        }
    }
}
