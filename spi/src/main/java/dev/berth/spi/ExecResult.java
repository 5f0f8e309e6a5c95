package dev.berth.spi;

/**
 * What a command run through {@link ExecSupport} left: its exit code and the start of its output. Output can hold
 * secrets (a dump, a generated key), so {@link #toString()} shows only the exit code and the sizes.
 *
 * @param exitCode  the process's exit status (0: success)
 * @param stdout    at most {@link #MAX_OUTPUT_CHARS} characters of standard output
 * @param stderr    at most {@link #MAX_OUTPUT_CHARS} characters of standard error
 * @param truncated true when either stream was longer and was cut
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean truncated) {

    /** How much of each stream a provider keeps; the rest is read and dropped. */
    public static final int MAX_OUTPUT_CHARS = 64 * 1024;

    public ExecResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    /** True when the command exited 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The last non-blank line of stderr (or of stdout when stderr is empty): what usually says why it failed. */
    public String lastLine() {
        String text = stderr.isBlank() ? stdout : stderr;
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    @Override
    public String toString() {
        return "ExecResult[exitCode=" + exitCode + ", stdout=" + stdout.length() + " chars, stderr=" + stderr.length()
                + " chars" + (truncated ? ", truncated" : "") + "]";
    }
}
