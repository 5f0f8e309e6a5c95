package dev.berth.core.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A command Berth runs inside a component once the app answers, as part of provisioning: creating the owner's
 * account where the app has no declarative way (WordPress's installer), seeding a setting. It runs through the
 * runtime's exec capability, as a durable step that is repeated after a crash, so it must be safe to run twice
 * (WordPress's installer leaves an installed site alone).
 *
 * @param name         a short name for logs and errors, lower-case letters, digits and dashes ("install")
 * @param component    the component to run it in
 * @param command      the program and its arguments; placeholders allowed but no {@code ${secret.*}}, since a
 *                     process's arguments are visible to anyone who lists processes
 * @param stdin        what the command reads on stdin, a template that may use secrets; {@code null} for none
 * @param afterRestore true to run it again after a restore (for state that lives outside the restored data)
 */
public record BootstrapAction(String name, String component, List<String> command, String stdin, boolean afterRestore) {

    public BootstrapAction {
        // null elements are kept (not List.copyOf) so that validation can report them with a field path
        command = command == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(command));
    }
}
