package dev.berth.core.lifecycle;

/**
 * The steps operations are made of. The names are stored in the step journal and shown on
 * {@link dev.berth.core.operation.Operation}, so renaming one is a schema change.
 */
enum Step {
    /** Choose a node (or queue the instance when none has room). */
    PLACE,
    /** Generate the instance's secrets, once. */
    SECRETS,
    /** Point the instance's hostname at its node. */
    DNS,
    /** The one call to the runtime that does the operation's work. */
    RUNTIME,
    /** Wait until the runtime reports the instance running; between looks the operation holds no worker. */
    READY,
    /** Run the app's bootstrap actions inside it (the owner's account, where the app has no declarative way). */
    BOOTSTRAP,
    /** A provision's end: the instance becomes ACTIVE. */
    ACTIVATE,
    /** Every other operation's end: the instance's new state and settings are recorded. */
    FINALIZE,
    /** Check the node has room for the new plan. */
    CAPACITY,
    /** Take a backup. */
    BACKUP,
    /** Replace the instance's data with a backup. */
    RESTORE,
    /** Send a message. */
    SEND
}
