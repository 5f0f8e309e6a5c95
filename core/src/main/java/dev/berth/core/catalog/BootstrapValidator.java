package dev.berth.core.catalog;

import dev.berth.spi.error.InvalidSpecException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a template's {@link OwnerSpec} and {@link BootstrapAction}s (see {@link TemplateValidator}). */
final class BootstrapValidator {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private BootstrapValidator() {
    }

    static void validate(AppTemplate app, String p, Set<String> secretNames) {
        OwnerSpec owner = app.owner();
        if (owner != null) {
            String op = p + ".owner";
            if (owner.login() == null || owner.login().isBlank()) {
                throw new InvalidSpecException(op + ".login", "is required (usually ${owner.email})");
            }
            noSecrets(owner.login(), op + ".login", secretNames);
            if (owner.passwordSecret() == null || !secretNames.contains(owner.passwordSecret())) {
                throw new InvalidSpecException(op + ".passwordSecret", "must name a secret declared under secrets");
            }
            if (!app.secret(owner.passwordSecret()).map(SecretSpec::credential).orElse(false)) {
                throw new InvalidSpecException(op + ".passwordSecret",
                        "secret '" + owner.passwordSecret() + "' must be marked credential: true, so that it reaches the customer");
            }
            if (owner.loginPath() != null && !owner.loginPath().startsWith("/")) {
                throw new InvalidSpecException(op + ".loginPath", "must start with /");
            }
            if (owner.management() == null) {
                throw new InvalidSpecException(op + ".management", "is required (ENV or APP)");
            }
        }
        Set<String> names = new HashSet<>();
        List<BootstrapAction> actions = app.bootstrap();
        for (int i = 0; i < actions.size(); i++) {
            BootstrapAction a = actions.get(i);
            if (a == null || a.name() == null || !NAME.matcher(a.name()).matches()) {
                throw new InvalidSpecException(p + ".bootstrap[" + i + "].name", "must be 1-63 lower-case letters, digits or dashes");
            }
            String ap = p + ".bootstrap[" + a.name() + "]";
            if (!names.add(a.name())) {
                throw new InvalidSpecException(ap, "duplicate action name");
            }
            if (a.component() == null || app.component(a.component()).isEmpty()) {
                throw new InvalidSpecException(ap + ".component", "must name a component of this template");
            }
            if (a.command().isEmpty()) {
                throw new InvalidSpecException(ap + ".command", "must name a program");
            }
            for (int j = 0; j < a.command().size(); j++) {
                String arg = a.command().get(j);
                if (arg == null) {
                    throw new InvalidSpecException(ap + ".command[" + j + "]", "must not be null");
                }
                noSecrets(arg, ap + ".command[" + j + "]", secretNames);
            }
            if (a.stdin() != null) {
                parse(a.stdin(), ap + ".stdin", secretNames);
            }
        }
    }

    /** Arguments are visible to anyone who lists processes: secrets go through stdin. */
    private static void noSecrets(String value, String field, Set<String> secretNames) {
        if (parse(value, field, secretNames).referencesSecret()) {
            throw new InvalidSpecException(field, "must not use ${secret.*}: pass secrets on stdin");
        }
    }

    private static EnvTemplate parse(String value, String field, Set<String> secretNames) {
        EnvTemplate t;
        try {
            t = EnvTemplate.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field, e.getMessage());
        }
        for (EnvTemplate.Part part : t.parts()) {
            if (part.kind() == EnvTemplate.Kind.SECRET && !secretNames.contains(part.argument())) {
                throw new InvalidSpecException(field, "references secret '" + part.argument()
                        + "', which is not declared under secrets");
            }
        }
        return t;
    }
}
