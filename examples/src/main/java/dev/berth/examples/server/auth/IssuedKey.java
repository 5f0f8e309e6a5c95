package dev.berth.examples.server.auth;

import dev.berth.spi.SecretValue;

/**
 * A key just issued: the one moment the secret exists outside the caller's hands. {@link #toString()} masks it.
 *
 * @param key    the stored key's description
 * @param secret the full key to hand over once
 */
public record IssuedKey(ApiKey key, SecretValue secret) { }
