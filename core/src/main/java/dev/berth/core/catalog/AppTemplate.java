package dev.berth.core.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A catalog entry: everything needed to run one app for one tenant, as data an operator can write in YAML or
 * JSON. Versions are pinned: an instance runs exactly one of {@link #supportedVersions()}, never a floating
 * tag such as {@code latest}, so that upgrades happen only when Berth performs them (with a backup first).
 *
 * <p>Collections are copied but not checked here; {@link Catalog} and {@link TemplateResolver} validate the
 * whole template so that errors can name the full field path.
 *
 * @param id                  stable identifier, lower-case letters, digits and dashes ("n8n")
 * @param name                display name
 * @param description         one-line description for a portal
 * @param defaultVersion      version new instances get; one of {@code supportedVersions}
 * @param supportedVersions   every version an instance may run
 * @param providerHint        preferred runtime provider id ("docker"), or {@code null} for no preference
 * @param components          processes of an instance; exactly one has {@code http = true}
 * @param secrets             secrets generated once per instance
 * @param licence             licence and what it means for offering the app as a service
 * @param encryptionKeySecret name of the secret the app's data is encrypted with, which every backup depends
 *                            on and which must be backed up apart from the data (n8n:
 *                            {@code N8N_ENCRYPTION_KEY}); {@code null} when the app has none
 * @param owner               the customer's admin account and the login handed over; {@code null} for an app
 *                            without accounts
 * @param bootstrap           commands run inside the app after it first answers (owner creation where the app
 *                            has no declarative way), in order
 */
public record AppTemplate(String id, String name, String description, String defaultVersion,
                          List<String> supportedVersions, String providerHint, List<AppComponent> components,
                          List<SecretSpec> secrets, Licence licence, String encryptionKeySecret, OwnerSpec owner,
                          List<BootstrapAction> bootstrap) {

    public AppTemplate {
        supportedVersions = copy(supportedVersions);
        components = copy(components);
        secrets = copy(secrets);
        bootstrap = copy(bootstrap);
    }

    /** A template without owner account or bootstrap actions. */
    public AppTemplate(String id, String name, String description, String defaultVersion,
                       List<String> supportedVersions, String providerHint, List<AppComponent> components,
                       List<SecretSpec> secrets, Licence licence, String encryptionKeySecret) {
        this(id, name, description, defaultVersion, supportedVersions, providerHint, components, secrets, licence,
                encryptionKeySecret, null, List.of());
    }

    /** The component the instance's host name is routed to. */
    public AppComponent httpComponent() {
        return components.stream().filter(c -> c != null && c.http()).findFirst()
                .orElseThrow(() -> new IllegalStateException("template " + id + " has no http component"));
    }

    /** The declared secret with this name. */
    public Optional<SecretSpec> secret(String secretName) {
        return secrets.stream().filter(s -> s != null && s.name() != null && s.name().equals(secretName)).findFirst();
    }

    /** The component with this name. */
    public Optional<AppComponent> component(String componentName) {
        return components.stream().filter(c -> c != null && c.name() != null && c.name().equals(componentName))
                .findFirst();
    }

    private static <T> List<T> copy(List<T> list) {
        // null elements are kept (not List.copyOf) so that validation can report them with a field path
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
