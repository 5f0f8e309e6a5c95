package dev.berth.examples.server.auth;

import java.time.Instant;

/**
 * A stored API key, without the key: only its public id and the hash of the secret are kept.
 *
 * @param id        public id, also the key's prefix (safe to log)
 * @param name      what the operator called it
 * @param scope     what it may do
 * @param tenantId  the one tenant a {@link Scope#TENANT} key reaches; null for the other scopes
 * @param createdAt when it was issued
 */
public record ApiKey(String id, String name, Scope scope, String tenantId, Instant createdAt) {

    /** True for a key bound to one tenant. */
    public boolean tenantBound() {
        return tenantId != null;
    }
}
