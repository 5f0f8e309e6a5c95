package dev.berth.testkit.memory;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.testkit.memory.InMemoryProvider.Verb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Exec for the {@link InMemoryProvider}: there is no process to run, so a tiny interpreter stands in for the
 * component's shell. It knows {@code cat} (stdin to stdout), {@code echo}, {@code true}, {@code false},
 * {@code printenv NAME} (the component's env and secret env) and {@code sh -c} with {@code ;}-separated
 * {@code echo …}, {@code echo … >&2} and {@code exit N}; anything else exits 127, as a shell does for an
 * unknown program, unless a test registered it ({@link InMemoryProviderBuilder#program}). Every command is recorded (see {@link InMemoryProvider#execHistory}) so that engine tests can
 * check what ran where.
 */
final class InMemoryExec implements ExecSupport {

    /** One command as it ran; stdin is kept as the secret it was. */
    record Ran(String instanceId, String component, List<String> argv, SecretValue stdin) { }

    private final InMemoryProvider provider;
    private final List<Ran> history = new CopyOnWriteArrayList<>();

    private final Map<String, ExecProgram> programs;

    InMemoryExec(InMemoryProvider provider, Map<String, ExecProgram> programs) {
        this.provider = provider;
        this.programs = Map.copyOf(programs);
    }

    @Override
    public ExecResult exec(String instanceId, ExecCommand command) {
        return provider.call(Verb.EXEC, instanceId, () -> {
            ComponentSpec component;
            synchronized (provider.lock) {
                HeldInstance held = provider.held(instanceId);
                component = held.components.stream().filter(c -> c.name().equals(command.component())).findFirst()
                        .orElseThrow(() -> new NotFoundException("component", instanceId + "/" + command.component()));
                if (held.state != RuntimeState.RUNNING) {
                    throw new ConflictException("instance " + instanceId + " is " + held.state + ": nothing runs to exec in");
                }
            }
            history.add(new Ran(instanceId, command.component(), command.argv(), command.stdin()));
            String stdin = command.stdin() == null ? "" : command.stdin().reveal();
            ExecProgram program = programs.get(command.argv().get(0));
            return program != null ? program.run(command.argv(), stdin, component) : run(command.argv(), stdin, component);
        });
    }

    List<Ran> history() {
        return List.copyOf(history);
    }

    private static ExecResult run(List<String> argv, String stdin, ComponentSpec component) {
        List<String> args = argv.subList(1, argv.size());
        return switch (argv.get(0)) {
            case "cat" -> new ExecResult(0, stdin, "", false);
            case "echo" -> new ExecResult(0, String.join(" ", args) + "\n", "", false);
            case "true" -> new ExecResult(0, "", "", false);
            case "false" -> new ExecResult(1, "", "", false);
            case "printenv" -> printenv(args, component);
            case "sh" -> args.size() == 2 && args.get(0).equals("-c") ? script(args.get(1))
                    : new ExecResult(2, "", "sh: only -c SCRIPT is understood here\n", false);
            default -> new ExecResult(127, "", argv.get(0) + ": not found\n", false);
        };
    }

    private static ExecResult printenv(List<String> names, ComponentSpec component) {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            String value = component.env().get(name);
            SecretValue secret = component.secretEnv().get(name);
            if (value == null && secret == null) {
                return new ExecResult(1, out.toString(), "", false);
            }
            out.append(value != null ? value : secret.reveal()).append('\n');
        }
        return new ExecResult(0, out.toString(), "", false);
    }

    private static ExecResult script(String script) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (String statement : script.split(";")) {
            List<String> words = words(statement.strip());
            if (words.isEmpty()) {
                continue;
            }
            boolean toStderr = words.get(words.size() - 1).equals(">&2");
            if (toStderr) {
                words = words.subList(0, words.size() - 1);
            }
            switch (words.get(0)) {
                case "echo" -> (toStderr ? err : out).append(String.join(" ", words.subList(1, words.size()))).append('\n');
                case "exit" -> {
                    return new ExecResult(words.size() > 1 ? Integer.parseInt(words.get(1)) : 0, out.toString(), err.toString(), false);
                }
                case "true" -> { }
                default -> {
                    return new ExecResult(127, out.toString(), err + "sh: " + words.get(0) + ": not found\n", false);
                }
            }
        }
        return new ExecResult(0, out.toString(), err.toString(), false);
    }

    /** Splits on blanks, keeping single-quoted text together without its quotes. */
    private static List<String> words(String statement) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char ch : statement.toCharArray()) {
            if (ch == '\'') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(ch) && !quoted) {
                if (any) {
                    words.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(ch);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words;
    }
}
