package dev.berth.examples.server.auth;

import java.time.Instant;

/**
 * A stored API key, without the key: only its public id and the hash of the secret are kept.
 *
 * @param id        public id, also the key's prefix (safe to log)
 * @param name      what the operator called it
 * @param scope     what it may do
 * @param createdAt when it was issued
 */
public record ApiKey(String id, String name, Scope scope, Instant createdAt) { }
