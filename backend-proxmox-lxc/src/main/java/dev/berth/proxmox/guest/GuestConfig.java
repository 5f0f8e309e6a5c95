package dev.berth.proxmox.guest;

import dev.berth.spi.SecretValue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a container should hold: one env file per service of the instance.
 *
 * @param appVersion the app version (written as {@code BERTH_APP_VERSION})
 * @param services   the services, in start order
 * @param restartAll restart every service even when its file did not change (upgrade)
 */
public record GuestConfig(String appVersion, List<Service> services, boolean restartAll) {

    public GuestConfig {
        services = List.copyOf(services);
    }

    /**
     * One service's environment.
     *
     * @param name      component name; the env file is {@code <envDir>/<name>.env}, the unit {@code <prefix><name>.service}
     * @param env       plain variables
     * @param secretEnv secret variables (never logged)
     */
    public record Service(String name, Map<String, String> env, Map<String, SecretValue> secretEnv) {
        public Service {
            env = Map.copyOf(env);
            secretEnv = Map.copyOf(secretEnv);
        }

        /**
         * The env file as systemd's {@code EnvironmentFile=} reads it: sorted {@code KEY="value"} lines with
         * {@code \}, {@code "} and newlines escaped. Holds secrets: write it, never log it.
         */
        public String envFile(String appVersion) {
            Map<String, String> all = new TreeMap<>(env);
            secretEnv.forEach((k, v) -> all.put(k, v.reveal()));
            all.put("BERTH_APP_VERSION", appVersion);
            StringBuilder out = new StringBuilder("# written by Berth; changes are overwritten\n");
            all.forEach((k, v) -> out.append(k).append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\"\n"));
            return out.toString();
        }
    }
}
