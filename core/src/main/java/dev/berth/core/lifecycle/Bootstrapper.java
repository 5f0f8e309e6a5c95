package dev.berth.core.lifecycle;

import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.catalog.TemplateResolver;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.TenantEntity;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.error.UnsupportedCapabilityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs an app template's bootstrap actions inside a running instance through the runtime's exec capability: the
 * owner's account where the app offers no declarative way. Each action must be safe to repeat (the step runs
 * again after a crash). A failing action is retryable (an app often answers its probe a moment before it accepts
 * the call) and its error names the action and quotes the command's last line with the instance's secrets masked.
 */
final class Bootstrapper {

    private static final Logger log = LoggerFactory.getLogger(Bootstrapper.class);

    private final Engine engine;
    private final Function<InstanceEntity, RuntimeProvider> providers;

    Bootstrapper(Engine engine, Function<InstanceEntity, RuntimeProvider> providers) {
        this.engine = engine;
        this.providers = providers;
    }

    /** True when the instance's app has actions to run (after a restore: actions marked to repeat then). */
    boolean hasActions(String instanceId, boolean afterRestoreOnly) {
        String appId = engine.db.read(em -> em.find(InstanceEntity.class, instanceId).appId);
        return engine.catalog.get(appId).bootstrap().stream().anyMatch(a -> !afterRestoreOnly || a.afterRestore());
    }

    /** Runs the template's actions in order; with {@code afterRestoreOnly} only those marked to repeat after a restore. */
    void run(InstanceEntity i, boolean afterRestoreOnly) {
        AppTemplate app = engine.catalog.get(i.appId);
        if (app.bootstrap().stream().noneMatch(a -> !afterRestoreOnly || a.afterRestore())) {
            return;
        }
        RuntimeProvider provider = providers.apply(i);
        ExecSupport exec = provider.exec().orElseThrow(() -> new UnsupportedCapabilityException("app " + app.id()
                + " creates its owner account by running a command in it, and provider " + provider.kind()
                + " cannot run commands in instances (no exec capability)"));
        Map<String, SecretValue> secrets = engine.secrets.load(i.id);
        TenantEntity tenant = engine.db.read(em -> em.find(TenantEntity.class, i.tenantId));
        List<TemplateResolver.Bootstrap> actions = new TemplateResolver().bootstrap(app, engine.context(i, tenant), secrets,
                afterRestoreOnly);
        for (TemplateResolver.Bootstrap action : actions) {
            ExecResult result = exec.exec(i.id, new ExecCommand(action.component(), action.argv(), action.stdin(), null,
                    ExecCommand.DEFAULT_TIMEOUT));
            if (!result.succeeded()) {
                throw new UnavailableException("bootstrap action '" + action.name() + "' of " + app.id() + " exited "
                        + result.exitCode() + ": " + masked(result.lastLine(), secrets));
            }
            log.info("instance {}: bootstrap action '{}' done", i.id, action.name());
        }
    }

    /** The text with every secret of the instance replaced: a command may echo what it was given. */
    static String masked(String text, Map<String, SecretValue> secrets) {
        String out = text;
        for (SecretValue s : secrets.values()) {
            String value = s.reveal();
            if (value.length() >= 4) {
                out = out.replace(value, "****");
            }
        }
        return out;
    }
}
