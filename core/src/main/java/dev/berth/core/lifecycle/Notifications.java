package dev.berth.core.lifecycle;

import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.catalog.TemplateResolver;
import dev.berth.core.catalog.SecretSpec;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.TenantEntity;
import dev.berth.spi.SecretValue;
import dev.berth.spi.notify.Notification;
import jakarta.persistence.EntityManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Messages as durable operations. {@link #enqueue} records a NOTIFY operation in the caller's transaction, so a
 * message is promised exactly when the lifecycle change it reports commits; {@link #deliver} sends it, and the
 * operation runner retries it like any other step. The operation's params hold only non-secret values; the
 * credentials of a ready message are read and decrypted at sending time.
 */
final class Notifications {

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    /** Messages for the operator rather than the customer. */
    private static final Set<Notification.Type> OPERATOR = Set.of(Notification.Type.BACKUP_FAILED, Notification.Type.OPERATION_FAILED);
    /** States in which a ready message is stale and is no longer sent. */
    private static final Set<String> GONE = Set.of(InstanceState.TERMINATING.name(), InstanceState.TERMINATED.name(),
            InstanceState.FAILED.name());

    private final Engine engine;

    Notifications(Engine engine) {
        this.engine = engine;
    }

    /**
     * Records a message about {@code i} in the caller's transaction. Idempotent by {@code key}: the same type and
     * key for the same instance is recorded once (the operation id is derived from them).
     *
     * @return the new operation's id, to submit after commit; null when nothing was recorded (no notifier, no
     *         operator address for an operator message, or already recorded)
     */
    String enqueue(EntityManager em, InstanceEntity i, Notification.Type type, String key, Map<String, String> values) {
        if (engine.notifier.isEmpty()) return null;
        if (OPERATOR.contains(type) && engine.notifications.operatorEmail() == null) {
            log.info("{} about instance {} not sent: no operator email configured", type, i.id);
            return null;
        }
        String id = UUID.nameUUIDFromBytes(("berth-notify/" + i.id + "/" + type + "/" + key).getBytes(StandardCharsets.UTF_8)).toString();
        if (em.find(OperationEntity.class, id) != null) return null;
        Instant now = engine.clock.instant();
        OperationEntity op = new OperationEntity();
        op.id = id;
        op.instanceId = i.id;
        op.type = OperationType.NOTIFY.name();
        op.status = OperationStatus.IN_PROGRESS.name();
        op.params = new OperationParams.Notify(type, values).toMap();
        op.createdAt = now;
        op.updatedAt = now;
        em.persist(op);
        return id;
    }

    /** Sends the message a NOTIFY operation about {@code instanceId} stands for. Throws what the notifier throws. */
    void deliver(String instanceId, OperationParams.Notify message) {
        Notification.Type type = message.message();
        InstanceEntity i = engine.db.read(em -> em.find(InstanceEntity.class, instanceId));
        if (type == Notification.Type.INSTANCE_READY && GONE.contains(i.state)) {
            log.info("ready message for instance {} dropped: the instance is {}", i.id, i.state);
            return;
        }
        TenantEntity tenant = engine.db.read(em -> em.find(TenantEntity.class, i.tenantId));
        String recipient = OPERATOR.contains(type) ? engine.notifications.operatorEmail() : tenant.email;
        AppTemplate app = engine.catalog.find(i.appId).orElse(null);
        Map<String, String> values = new TreeMap<>();
        values.put("url", "https://" + i.hostname);
        values.put("hostname", i.hostname);
        values.put("appId", i.appId);
        values.put("app", app == null ? i.appId : app.name());
        values.put("version", i.appVersion);
        values.put("instanceId", i.id);
        values.put("tenantName", tenant.name);
        values.putAll(message.values());
        if (type == Notification.Type.INSTANCE_READY && app != null && app.owner() != null) {
            // the customer's login to go with the password below: the account is theirs from the first visit
            new TemplateResolver().ownerLogin(app, engine.context(i, tenant)).ifPresent(login -> values.put("login", login));
            values.put("loginUrl", "https://" + i.hostname + (app.owner().loginPath() == null ? "/" : app.owner().loginPath()));
        }
        Map<String, SecretValue> credentials = type == Notification.Type.INSTANCE_READY && app != null
                ? customerCredentials(app, i.id) : Map.of();
        engine.notifier.orElseThrow().send(new Notification(type, recipient, i.id, values, credentials));
    }

    /** Only the secrets the template marks as the customer's logins; database passwords and keys stay inside. */
    private Map<String, SecretValue> customerCredentials(AppTemplate app, String instanceId) {
        Set<String> names = app.secrets().stream().filter(SecretSpec::credential).map(SecretSpec::name).collect(Collectors.toSet());
        if (names.isEmpty()) return Map.of();
        Map<String, SecretValue> all = engine.secrets.load(instanceId);
        Map<String, SecretValue> out = new TreeMap<>();
        names.forEach(n -> {
            if (all.containsKey(n)) out.put(n, all.get(n));
        });
        return out;
    }
}
