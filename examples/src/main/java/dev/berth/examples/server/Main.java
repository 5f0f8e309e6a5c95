package dev.berth.examples.server;

import dev.berth.core.error.BerthException;
import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.examples.server.config.ServerConfig;

import java.nio.file.Files;
import java.nio.file.Path;

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
        String k = key == null ? "$BERTH_KEY" : key;
        b.append("\nTry it:\n\n")
                .append("    curl -s -X POST ").append(base).append("/api/v1/tenants -H 'Authorization: Bearer ").append(k)
                .append("' -H 'Content-Type: application/json' \\\n        -d '{\"externalId\":\"cus_1\",\"email\":\"ada@example.com\",\"name\":\"Ada\"}'\n")
                .append("    curl -s -X POST ").append(base).append("/api/v1/instances -H 'Authorization: Bearer ").append(k)
                .append("' -H 'Content-Type: application/json' \\\n        -H 'Idempotency-Key: order-1' -d '{\"tenantId\":\"<tenant id>\",\"appId\":\"ghost\",\"planId\":\"basic\"}'\n");
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
