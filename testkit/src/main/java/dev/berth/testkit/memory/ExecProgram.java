package dev.berth.testkit.memory;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ExecResult;

import java.util.List;

/**
 * A program the {@link InMemoryProvider}'s exec knows beyond its small built-in shell, registered by a test with
 * {@link InMemoryProviderBuilder#program}: what an app's bootstrap command would do in a real container.
 */
@FunctionalInterface
public interface ExecProgram {

    /**
     * Runs the program.
     *
     * @param argv      the program's name and arguments
     * @param stdin     what it reads on stdin ("" for nothing)
     * @param component the component it runs in
     */
    ExecResult run(List<String> argv, String stdin, ComponentSpec component);
}
