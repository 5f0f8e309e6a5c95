package dev.berth.proxmox.exec;

import dev.berth.spi.error.InvalidSpecException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns an argv into the one string an SSH {@code exec} request carries. The server hands that string to the
 * login user's shell ({@code $SHELL -c …}, a POSIX shell for root in every LXC template), so every argument is
 * single-quoted (an embedded {@code '} becomes {@code '\''}): nothing in it is expanded, split or globbed, and
 * the program receives exactly the argv it was given. The line starts with {@code exec}, so the shell is replaced
 * by the program and a signal sent to the session reaches the program itself.
 */
public final class CommandLine {

    /** What {@code runuser -u} accepts as a user name without surprises (no option-like or shell-special names). */
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]*\\$?", Pattern.CASE_INSENSITIVE);

    private CommandLine() {
    }

    /**
     * The command line running {@code argv} as {@code user}: as the login user itself when {@code user} is null
     * or the login user, otherwise through {@code runuser -u USER --} (util-linux; it must be in the container).
     *
     * @throws InvalidSpecException when an argument holds a NUL character (no exec request can carry it) or the
     *                              user name is not a plain user name
     */
    public static String of(List<String> argv, String user, String loginUser) {
        StringBuilder line = new StringBuilder("exec");
        if (user != null && !user.equals(loginUser)) {
            if (!USER.matcher(user).matches()) {
                throw new InvalidSpecException("user", "must be a plain user name ([a-z_][a-z0-9_.-]*)");
            }
            line.append(" runuser -u ").append(quote(user)).append(" --");
        }
        for (String arg : argv) {
            if (arg.indexOf('\0') >= 0) {
                throw new InvalidSpecException("argv", "an argument holds a NUL character");
            }
            line.append(' ').append(quote(arg));
        }
        return line.toString();
    }

    /** {@code arg} as one POSIX shell word that the shell reads back unchanged. */
    public static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
