package dev.berth.core.lifecycle;

import dev.berth.spi.SecretValue;

/**
 * The login to an instance's owner account that Berth hands its customer once. {@link #toString()} never shows
 * the password ({@link SecretValue} masks it).
 *
 * @param login    the login name (usually the tenant's e-mail)
 * @param loginUrl where to sign in
 * @param password the first password; null if the instance's secrets are gone
 */
public record OwnerLogin(String login, String loginUrl, SecretValue password) { }
