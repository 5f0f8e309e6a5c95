package dev.berth.core.lifecycle;

import dev.berth.spi.InstanceStatus;
import dev.berth.spi.RuntimeProvider;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one provider's runtime holds, for a reconcile pass: asked once per target when the provider can list one
 * target alone, else once for the whole provider, so that a target that does not answer hides only its own
 * instances.
 *
 * @param instances   what the targets that answered hold, by instance id
 * @param unreachable the targets whose instances could not be listed (not compared this pass)
 * @param failures    why, by what was asked ("target X", or "every target" for a whole-provider call)
 */
record RuntimeInventory(Map<String, InstanceStatus> instances, Set<String> unreachable,
                        Map<String, RuntimeException> failures) {

    /** Lists what {@code provider} holds on {@code targets} (the targets of Berth's nodes of that provider). */
    static RuntimeInventory of(RuntimeProvider provider, Set<String> targets) {
        Map<String, InstanceStatus> seen = new HashMap<>();
        Set<String> unreachable = new TreeSet<>();
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        var perTarget = provider.targetInventory();
        if (perTarget.isPresent()) {
            for (String target : targets) {
                try {
                    perTarget.get().inventory(target).forEach(s -> seen.putIfAbsent(s.instanceId(), s));
                } catch (RuntimeException e) {
                    unreachable.add(target);
                    failures.put("target " + target, e);
                }
            }
        } else {
            try {
                provider.inventory().forEach(s -> seen.putIfAbsent(s.instanceId(), s));
            } catch (RuntimeException e) {
                unreachable.addAll(targets);
                failures.put("every target", e);
            }
        }
        return new RuntimeInventory(seen, unreachable, failures);
    }
}
