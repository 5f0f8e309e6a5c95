package dev.berth.core.catalog;

/**
 * The customer's own admin account in the app: how Berth makes it and what login it hands over. Without it the
 * first visitor of a fresh instance would create the admin account (n8n's owner set-up, WordPress's installer).
 *
 * @param login          the login name, a template such as {@code ${owner.email}} (no secrets)
 * @param passwordSecret the template's secret that is the account's first password; it must be marked
 *                       {@code credential: true}, so that it goes to the customer in the "instance ready" message
 *                       and the credentials hand-over, and nowhere else
 * @param loginPath      where the customer signs in, relative to the instance's URL ("/signin")
 * @param management     who owns the account after it is made
 */
public record OwnerSpec(String login, String passwordSecret, String loginPath, Management management) {

    /** Who keeps the account once it exists. */
    public enum Management {
        /**
         * The app re-applies the account from Berth's environment on every start (n8n's
         * {@code N8N_INSTANCE_OWNER_MANAGED_BY_ENV}): the app shows the owner's e-mail and password as read-only,
         * and a new password goes through Berth (a new secret, then a restart), never through the app.
         */
        ENV,
        /**
         * Berth creates the account once (a bootstrap action) and never touches it again: the customer changes
         * the password in the app, and no restart, upgrade or restore overwrites it.
         */
        APP
    }
}
