package dev.berth.core.lifecycle;

import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.OperationEntity;
import dev.berth.spi.notify.Notification;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What each operation type needs to know, typed. Stored as a string map in {@code operations.params} (and shown so
 * on {@link dev.berth.core.operation.Operation#params()}); {@link #read} and {@link #toMap} are the only places that
 * know the keys.
 */
sealed interface OperationParams {

    /** The operation type these parameters belong to. */
    OperationType type();

    /** The stored form. */
    Map<String, String> toMap();

    /** @param placed whether the instance was given a node (so a runtime resource may exist) */
    record Provision(boolean placed) implements OperationParams {
        public OperationType type() { return OperationType.PROVISION; }
        public Map<String, String> toMap() { return placed ? Map.of(HAD_RUNTIME, "true") : Map.of(); }
    }

    /** @param reason why; only a BILLING suspension is lifted by billing */
    record Suspend(SuspensionReason reason) implements OperationParams {
        public Suspend { Objects.requireNonNull(reason, "reason"); }
        public OperationType type() { return OperationType.SUSPEND; }
        public Map<String, String> toMap() { return Map.of(REASON, reason.name()); }
    }

    /** Start a suspended instance. */
    record Resume() implements OperationParams {
        public OperationType type() { return OperationType.RESUME; }
        public Map<String, String> toMap() { return Map.of(); }
    }

    /** @param planId the plan to move to */
    record ChangePlan(String planId) implements OperationParams {
        public ChangePlan { Objects.requireNonNull(planId, "planId"); }
        public OperationType type() { return OperationType.CHANGE_PLAN; }
        public Map<String, String> toMap() { return Map.of(PLAN_ID, planId); }
    }

    /** @param version the app version to move to */
    record Upgrade(String version) implements OperationParams {
        public Upgrade { Objects.requireNonNull(version, "version"); }
        public OperationType type() { return OperationType.UPGRADE; }
        public Map<String, String> toMap() { return Map.of(VERSION, version); }
    }

    /** Take a backup now. */
    record Backup() implements OperationParams {
        public OperationType type() { return OperationType.BACKUP; }
        public Map<String, String> toMap() { return Map.of(); }
    }

    /** @param backupId the backup (of the same instance) to restore */
    record Restore(String backupId) implements OperationParams {
        public Restore { Objects.requireNonNull(backupId, "backupId"); }
        public OperationType type() { return OperationType.RESTORE; }
        public Map<String, String> toMap() { return Map.of(BACKUP_ID, backupId); }
    }

    /** @param hadRuntime whether the instance was placed when termination was accepted (a final backup is due) */
    record Terminate(boolean hadRuntime) implements OperationParams {
        public OperationType type() { return OperationType.TERMINATE; }
        public Map<String, String> toMap() { return hadRuntime ? Map.of(HAD_RUNTIME, "true") : Map.of(); }
    }

    /** @param targetNodeId the destination, whose room is reserved while the data moves */
    record Migrate(String targetNodeId) implements OperationParams {
        public Migrate { Objects.requireNonNull(targetNodeId, "targetNodeId"); }
        public OperationType type() { return OperationType.MIGRATE; }
        public Map<String, String> toMap() { return Map.of(TARGET_NODE, targetNodeId); }
    }

    /**
     * @param seen   the drifts the reconciler saw; only a hint, the repair reads the instance and its runtime again
     * @param onLost the operator's policy, when the repair was accepted, for an instance its runtime lost
     * @param lost   what the repair decided on finding its runtime lost the instance (null until then), kept so
     *               that a retry finishes that decision instead of taking the re-created instance for a healthy one
     */
    record Repair(Set<Reconciler.Drift.Kind> seen, LostInstancePolicy onLost, Lost lost) implements OperationParams {
        public Repair {
            seen = seen == null || seen.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(seen));
            Objects.requireNonNull(onLost, "onLost");
        }

        /** @param restoreFrom the backup to restore after provisioning it again; null: reported only */
        record Lost(String restoreFrom) { }

        Repair withLost(Lost decided) {
            return new Repair(seen, onLost, decided);
        }

        public OperationType type() { return OperationType.REPAIR; }
        public Map<String, String> toMap() {
            Map<String, String> m = new TreeMap<>();
            m.put(DRIFT, String.join(",", seen.stream().map(Enum::name).toList()));
            m.put(ON_LOST, onLost.name());
            if (lost != null) {
                m.put(LOST, lost.restoreFrom() == null ? "reported" : "restore");
                if (lost.restoreFrom() != null) m.put(BACKUP_ID, lost.restoreFrom());
            }
            return m;
        }

        static Repair read(Map<String, String> p) {
            Set<Reconciler.Drift.Kind> seen = EnumSet.noneOf(Reconciler.Drift.Kind.class);
            for (String k : p.getOrDefault(DRIFT, "").split(",")) {
                if (!k.isBlank()) seen.add(Reconciler.Drift.Kind.valueOf(k));
            }
            Lost lost = p.containsKey(LOST) ? new Lost(p.get(BACKUP_ID)) : null;
            return new Repair(seen, LostInstancePolicy.valueOf(p.getOrDefault(ON_LOST, LostInstancePolicy.REPORT.name())), lost);
        }
    }

    /**
     * @param message what to send
     * @param values  the message's non-secret values (credentials are read at sending time, never stored here)
     */
    record Notify(Notification.Type message, Map<String, String> values) implements OperationParams {
        public Notify {
            Objects.requireNonNull(message, "message");
            values = Map.copyOf(values);
        }
        public OperationType type() { return OperationType.NOTIFY; }
        public Map<String, String> toMap() {
            Map<String, String> m = new TreeMap<>(values);
            m.put(NOTIFICATION, message.name());
            return m;
        }
    }

    /** The typed parameters of a stored operation. */
    static OperationParams read(OperationEntity op) {
        Map<String, String> p = op.params == null ? Map.of() : op.params;
        return switch (OperationType.valueOf(op.type)) {
            case PROVISION -> new Provision(p.containsKey(HAD_RUNTIME));
            // operations stored before the reason was recorded were all the operator's
            case SUSPEND -> new Suspend(SuspensionReason.valueOf(p.getOrDefault(REASON, SuspensionReason.ADMIN.name())));
            case RESUME -> new Resume();
            case CHANGE_PLAN -> new ChangePlan(p.get(PLAN_ID));
            case UPGRADE -> new Upgrade(p.get(VERSION));
            case BACKUP -> new Backup();
            case RESTORE -> new Restore(p.get(BACKUP_ID));
            case TERMINATE -> new Terminate(p.containsKey(HAD_RUNTIME));
            case MIGRATE -> new Migrate(p.get(TARGET_NODE));
            case REPAIR -> Repair.read(p);
            case NOTIFY -> {
                Map<String, String> values = new TreeMap<>(p);
                values.remove(NOTIFICATION);
                yield new Notify(Notification.Type.valueOf(p.get(NOTIFICATION)), values);
            }
        };
    }

    /** Reads typed parameters of the type the caller expects. */
    static <T extends OperationParams> T read(OperationEntity op, Class<T> type) {
        return type.cast(read(op));
    }

    // the stored keys, which older rows and callers reading Operation#params() rely on
    String HAD_RUNTIME = "hadRuntime";
    String REASON = "reason";
    String PLAN_ID = "planId";
    String VERSION = "version";
    String BACKUP_ID = "backupId";
    String TARGET_NODE = "targetNode";
    String NOTIFICATION = "notification";
    String DRIFT = "drift";
    String ON_LOST = "onLost";
    String LOST = "lost";
}
