package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Waits for a task to stop by polling its status on the node named in its UPID (another node would have to
 * proxy the call), with a pause that doubles from {@code first} up to {@code max}.
 */
final class TaskWaiter {

    /** "no such task" answers tolerated right after dispatch, before the task is visible. */
    private static final int UNKNOWN_TASK_TRIES = 5;

    private final ApiTransport transport;
    private final Duration first;
    private final Duration max;

    TaskWaiter(ApiTransport transport, Duration first, Duration max) {
        this.transport = transport;
        this.first = first;
        this.max = max;
    }

    TaskStatus await(Upid upid, Duration timeout) {
        String path = "nodes/" + upid.node() + "/tasks/" + upid.value() + "/status";
        int[] unknownTries = {0};
        TaskStatus status = Poll.every(first).doublingUpTo(max).atMost(timeout).until(() -> {
            JsonNode st;
            try {
                st = transport.send("GET", path, Map.of(), true);
            } catch (InvalidSpecException | NotFoundException e) {
                // "400 upid: no such task": right after dispatch the task may not be visible yet (bpg retries these)
                boolean unknownTask = !(e instanceof InvalidSpecException ise) || "upid".equals(ise.field());
                if (!unknownTask || ++unknownTries[0] > UNKNOWN_TASK_TRIES) {
                    throw e;
                }
                return Optional.empty();
            }
            if (st != null && "stopped".equals(st.path("status").asText())) {
                return Optional.of(new TaskStatus(upid, false, st.path("exitstatus").asText("unexpected status")));
            }
            return Optional.empty();
        }, () -> new UnavailableException("task " + upid.type() + " " + upid.id() + " on '" + upid.node()
                + "' still running after " + timeout));
        if (!status.succeeded()) {
            throw new TaskFailedException(upid, status.exitStatus()) {
                @Override
                public boolean retryable() {
                    return status.exitStatus().contains("is locked");
                }
            };
        }
        return status;
    }
}
