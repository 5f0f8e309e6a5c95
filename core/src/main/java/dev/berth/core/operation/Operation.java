package dev.berth.core.operation;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A durable record of a lifecycle command.
 *
 * @param id             operation id
 * @param instanceId     the instance it acts on
 * @param type           what it does
 * @param status         IN_PROGRESS, SUCCEEDED or FAILED
 * @param step           the step it is at (or ended at)
 * @param completedSteps steps done so far, in order
 * @param attempts       how many times a worker started it
 * @param lastError      the last error's message (never contains secrets), or null
 * @param params         command parameters (target plan, version, backup id)
 * @param createdAt      when it was accepted
 * @param finishedAt     when it ended, or null
 */
public record Operation(String id, String instanceId, OperationType type, OperationStatus status, String step,
                        List<String> completedSteps, int attempts, String lastError, Map<String, String> params,
                        Instant createdAt, Instant finishedAt) { }
