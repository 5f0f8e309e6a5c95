package dev.berth.spi.error;

/**
 * A lifecycle command is not legal in the instance's current state (for example resume of an ACTIVE
 * instance). Nothing was changed. Not retryable: the state has to change first.
 */
public class IllegalTransitionException extends ConflictException {

    private final String from;
    private final String command;

    public IllegalTransitionException(String subject, String from, String command) {
        super("cannot " + command + " " + subject + " in state " + from, false);
        this.from = from;
        this.command = command;
    }

    public String from() {
        return from;
    }

    public String command() {
        return command;
    }
}
