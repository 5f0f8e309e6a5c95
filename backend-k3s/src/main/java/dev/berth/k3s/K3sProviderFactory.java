package dev.berth.k3s;

import dev.berth.spi.ProviderFactory;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.error.InvalidSpecException;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Creates {@link K3sProvider}s for kind {@code k3s} (also {@code kubernetes}) from {@link K3sSettings} keys: a
 * {@code kubeconfig} path, or {@code server} plus {@code token}.
 */
public final class K3sProviderFactory implements ProviderFactory {

    @Override
    public boolean supports(String kind) {
        return K3sProvider.KIND.equals(kind) || "kubernetes".equals(kind);
    }

    @Override
    public RuntimeProvider create(Map<String, String> config) {
        K3sSettings settings = K3sSettings.from(config);
        return new K3sProvider(settings, client(settings));
    }

    /**
     * The API client the settings describe. Does not contact the server.
     *
     * @throws InvalidSpecException naming {@code kubeconfig} when the file cannot be read or parsed
     */
    public static ApiClient client(K3sSettings settings) {
        try {
            if (settings.kubeconfig() != null) {
                Path file = Path.of(settings.kubeconfig());
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    KubeConfig kubeConfig = KubeConfig.loadKubeConfig(reader);
                    kubeConfig.setFile(file.toFile());   // certificate paths are relative to the file
                    return ClientBuilder.kubeconfig(kubeConfig).build();
                }
            }
            return new ClientBuilder().setBasePath(settings.server()).setVerifyingSsl(!settings.insecureSkipTlsVerify())
                    .setAuthentication(new AccessTokenAuthentication(settings.token())).build();
        } catch (IOException | RuntimeException e) {
            throw new InvalidSpecException("kubeconfig", "cannot build a client: " + e.getClass().getSimpleName());
        }
    }
}
