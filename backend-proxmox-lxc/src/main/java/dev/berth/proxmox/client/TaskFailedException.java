package dev.berth.proxmox.client;

import dev.berth.spi.error.BerthException;

/**
 * A Proxmox task that was accepted (HTTP 200 + UPID) and then ended with an error exit status. Never retried by
 * the client: the work may have been half done, and only the caller knows how to converge.
 */
public class TaskFailedException extends BerthException {

    private final transient Upid upid;
    private final String exitStatus;

    public TaskFailedException(Upid upid, String exitStatus) {
        super("task " + upid.type() + " " + upid.id() + " on node '" + upid.node() + "' failed: " + exitStatus, false);
        this.upid = upid;
        this.exitStatus = exitStatus;
    }

    /** The failed task. */
    public Upid upid() {
        return upid;
    }

    /** The task's exit status (its error text). */
    public String exitStatus() {
        return exitStatus;
    }
}
