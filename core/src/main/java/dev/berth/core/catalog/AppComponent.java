package dev.berth.core.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One process of an app template: the app itself or a companion such as its database. The component's name
 * is also its host name on the instance's private network, so other components reach it through
 * {@code ${component.NAME.host}}.
 *
 * <p>Collections are copied but not checked here; {@link Catalog} and {@link TemplateResolver} validate the
 * whole template so that errors can name the full field path ({@code apps[n8n].components[app].env.N8N_HOST}).
 *
 * @param name        DNS label, unique within the template ("app", "db")
 * @param image       container image with a pinned tag or digest; may contain {@code {version}}, which is
 *                    replaced by the instance's app version ("docker.n8n.io/n8nio/n8n:{version}"); companions
 *                    usually carry their own pinned tag ("mariadb:11.4.4")
 * @param lxcTemplate Proxmox ostemplate for LXC runtimes, or {@code null}; may also contain {@code {version}}
 * @param ports       ports the component listens on
 * @param volumes     persistent data paths
 * @param env         environment templates; values may contain placeholders such as {@code ${host}} or
 *                    {@code ${secret.DB_PASSWORD}} (see {@link TemplateResolver})
 * @param readiness   probe that says the component serves
 * @param http        true for the one component the reverse proxy routes the instance's host name to (its
 *                    first port)
 */
public record AppComponent(String name, String image, String lxcTemplate, List<PortSpec> ports,
                           List<VolumeSpec> volumes, Map<String, String> env, ProbeSpec readiness, boolean http) {

    public AppComponent {
        // null elements are kept (not List.copyOf) so that validation can report them with a field path
        ports = ports == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(ports));
        volumes = volumes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(volumes));
        // insertion order is kept so that rendered env reads in the order the template author wrote it
        env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }
}
