package dev.berth.core.lifecycle;

import dev.berth.core.catalog.TemplateResolver;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.TenantEntity;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.NotFoundException;

import java.util.Optional;

/**
 * The login to an instance's owner account that Berth hands its customer once. {@link #toString()} never shows
 * the password ({@link SecretValue} masks it).
 *
 * @param login    the login name (usually the tenant's e-mail)
 * @param loginUrl where to sign in
 * @param password the first password; null if the instance's secrets are gone
 */
public record OwnerLogin(String login, String loginUrl, SecretValue password) {

    /** The owner login of an instance whose app has an owner account. */
    static Optional<OwnerLogin> find(Engine engine, String instanceId) {
        InstanceEntity i = engine.db.read(em -> em.find(InstanceEntity.class, instanceId));
        if (i == null) throw new NotFoundException("instance", instanceId);
        var app = engine.catalog.get(i.appId);
        if (app.owner() == null) return Optional.empty();
        TenantEntity tenant = engine.db.read(em -> em.find(TenantEntity.class, i.tenantId));
        String login = new TemplateResolver().ownerLogin(app, engine.context(i, tenant)).orElseThrow();
        SecretValue password = engine.secrets.load(instanceId).get(app.owner().passwordSecret());
        String path = app.owner().loginPath() == null ? "/" : app.owner().loginPath();
        return Optional.of(new OwnerLogin(login, "https://" + i.hostname + path, password));
    }
}
