package dev.berth.spi;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.List;

/**
 * A command to run in one component of an instance (see {@link ExecSupport}).
 *
 * @param component the component's name ({@link ComponentSpec#name()})
 * @param argv      the program and its arguments, run directly (no shell unless argv names one); never holds a
 *                  secret, since runtimes show a process's arguments to anyone who lists processes
 * @param stdin     what the command reads on its standard input, or null for none: the place for secrets
 * @param user      the user to run as, or null for the component's own user
 * @param timeout   how long the command may run
 */
public record ExecCommand(String component, List<String> argv, SecretValue stdin, String user, Duration timeout) {

    /** The timeout of {@link #of}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    public ExecCommand {
        if (component == null || component.isBlank()) {
            throw new InvalidSpecException("component", "is required");
        }
        if (argv == null || argv.isEmpty() || argv.stream().anyMatch(a -> a == null)) {
            throw new InvalidSpecException("argv", "must name a program, without null arguments");
        }
        argv = List.copyOf(argv);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidSpecException("timeout", "must be positive");
        }
    }

    /** {@code argv} in {@code component}, as its own user, no input, {@link #DEFAULT_TIMEOUT}. */
    public static ExecCommand of(String component, String... argv) {
        return new ExecCommand(component, List.of(argv), null, null, DEFAULT_TIMEOUT);
    }

    /** The same command reading {@code input} on stdin. */
    public ExecCommand withStdin(SecretValue input) {
        return new ExecCommand(component, argv, input, user, timeout);
    }

    /** The same command run as {@code user}. */
    public ExecCommand asUser(String name) {
        return new ExecCommand(component, argv, stdin, name, timeout);
    }

    /** The same command with another timeout. */
    public ExecCommand withTimeout(Duration limit) {
        return new ExecCommand(component, argv, stdin, user, limit);
    }
}
