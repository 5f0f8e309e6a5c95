package dev.berth.examples.server.auth;

import io.javalin.security.RouteRole;

/**
 * What an API key may do. ADMIN may do everything; PORTAL (the hosting business's own portal) may manage every
 * tenant and its instances, follow operations and read the catalog, plans and capacity, but not nodes, plan
 * changes or keys. TENANT is PORTAL narrowed to the one tenant the key is bound to (a customer's own dashboard):
 * that tenant and its instances, their operations and backups, and the catalog and plans; anything of another
 * tenant answers 404 as if it did not exist ({@link TenantBoundary}). A route lists the scopes it admits.
 */
public enum Scope implements RouteRole {
    ADMIN,
    PORTAL,
    TENANT
}
