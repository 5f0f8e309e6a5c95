package dev.berth.examples.server.auth;

import io.javalin.security.RouteRole;

/**
 * What an API key may do. ADMIN may do everything; PORTAL may manage tenants and instances, follow operations
 * and read the catalog, plans and capacity (what a customer portal needs), but not nodes, plan changes or keys.
 * A route lists the scopes it admits.
 */
public enum Scope implements RouteRole {
    ADMIN,
    PORTAL
}
