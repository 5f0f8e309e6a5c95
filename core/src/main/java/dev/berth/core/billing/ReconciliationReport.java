package dev.berth.core.billing;

import java.util.List;

/**
 * What one reconciliation run found.
 *
 * @param checked    subscriptions compared
 * @param corrected  subscriptions whose state in Berth differed and was corrected (a missed notification)
 * @param failures   subscriptions that could not be checked, with the reason (no secrets)
 */
public record ReconciliationReport(int checked, int corrected, List<String> failures) {
    public ReconciliationReport {
        failures = List.copyOf(failures);
    }
}
