package dev.berth.examples.server;

import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.spi.error.BerthException;

import dev.berth.core.catalog.Catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the example server: {@code java -jar berth-server.jar [--config berth.yaml]}. The file may also be named
 * by {@code BERTH_CONFIG}; without either, {@code ./berth.yaml} is used when present, else the built-in defaults
 * (H2 in ./data, the local Docker engine). Prints where it listens, the admin key when it generated one, and a
 * curl example.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        Path file = configFile(args);
        BerthServer server;
        try {
            ServerConfig config = ConfigLoader.load(file, System.getenv());
            server = BerthServer.start(config);
        } catch (BerthException e) {
            System.err.println("berth-server: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "berth-shutdown"));
        String base = "http://localhost:" + server.port();
        StringBuilder b = new StringBuilder();
        b.append('\n').append("Berth server listening on ").append(base).append("  (OpenAPI: ").append(base).append("/openapi.json)\n");
        String key = server.firstAdminKey().map(k -> k.reveal()).orElse(null);
        if (key != null) {
            // printed to the terminal once; only its SHA-256 is stored
            b.append("\nAdmin API key (shown ONCE, store it now):\n\n    ").append(key).append("\n");
        } else {
            b.append("\nUsing the admin key generated on first start (it is not shown again).\n");
        }
        // an app of the operator's own catalog files when there is one (run.sh adds the offline demo app)
        List<String> builtin = Catalog.builtin().ids();
        String app = server.berth().catalog().ids().stream().filter(id -> !builtin.contains(id)).findFirst().orElse("ghost");
        b.append("\nTry it (provisions an instance of '").append(app).append("' on plan basic):\n\n")
                .append("    KEY=").append(key == null ? "<your admin key>" : key).append('\n')
                .append("    TENANT=$(curl -s -X POST ").append(base).append("/api/v1/tenants -H \"Authorization: Bearer $KEY\" \\\n")
                .append("        -H 'Content-Type: application/json' -d '{\"externalId\":\"cus_1\",\"email\":\"ada@example.com\",\"name\":\"Ada\"}' \\\n")
                .append("        | sed -E 's/.*\"id\":\"([^\"]+)\".*/\\1/')\n")
                .append("    curl -s -X POST ").append(base).append("/api/v1/instances -H \"Authorization: Bearer $KEY\" \\\n")
                .append("        -H 'Content-Type: application/json' -H 'Idempotency-Key: order-1' \\\n")
                .append("        -d '{\"tenantId\":\"'$TENANT'\",\"appId\":\"").append(app).append("\",\"planId\":\"basic\"}'\n")
                .append("    curl -s ").append(base).append("/api/v1/tenants/$TENANT/instances -H \"Authorization: Bearer $KEY\"\n");
        System.out.println(b);
    }

    private static Path configFile(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if ("--config".equals(args[i])) return Path.of(args[i + 1]);
        }
        String env = System.getenv("BERTH_CONFIG");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path local = Path.of("berth.yaml");
        return Files.exists(local) ? local : null;
    }
}
