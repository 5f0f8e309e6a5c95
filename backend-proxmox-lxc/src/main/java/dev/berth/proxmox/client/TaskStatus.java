package dev.berth.proxmox.client;

/**
 * The state of a finished or running task as {@code GET /nodes/{node}/tasks/{upid}/status} reports it.
 *
 * @param upid       the task
 * @param running    true while the worker runs
 * @param exitStatus {@code OK}, {@code WARNINGS: n} or the error text; null while running
 */
public record TaskStatus(Upid upid, boolean running, String exitStatus) {

    /** True when the task stopped with {@code OK} or {@code WARNINGS: n} (warnings are a success in Proxmox). */
    public boolean succeeded() {
        return !running && exitStatus != null && (exitStatus.equals("OK") || exitStatus.startsWith("WARNINGS: "));
    }
}
