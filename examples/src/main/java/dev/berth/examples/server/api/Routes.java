package dev.berth.examples.server.api;

import io.javalin.config.RoutesConfig;

/** A feature's HTTP routes; each route names the scopes that may call it (none: public). */
public interface Routes {

    /** Adds the routes. */
    void register(RoutesConfig routes);
}
