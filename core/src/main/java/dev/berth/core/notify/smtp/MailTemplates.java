package dev.berth.core.notify.smtp;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.notify.Notification;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The mail templates: Mustache files, three per message type, named after the type in lower case with dashes:
 * {@code instance-ready.subject.mustache}, {@code instance-ready.txt.mustache} (plain-text part) and
 * {@code instance-ready.html.mustache} (HTML part). A file in the operator's template directory replaces the
 * built-in file of the same name; the others stay built in.
 *
 * <p>Templates see every value of the notification by name ({@code {{url}}}, {@code {{app}}},
 * {@code {{tenantName}}}, {@code {{terminationDate}}}, …), {@code {{#credentials}}{{name}}: {{value}}{{/credentials}}}
 * for the initial credentials of a ready message, and {@code hasCredentials}. The HTML part escapes values; the
 * text part and the subject do not. A value a template names but the message lacks renders empty. The HTML
 * templates share {@code html-header.mustache} and {@code html-footer.mustache} (partials), which can be replaced
 * the same way.
 */
final class MailTemplates {

    /** A rendered message. */
    record Mail(String subject, String text, String html) { }

    private static final String BUILTIN = "/dev/berth/core/notify/smtp/templates/";

    private final Path directory;
    private final Mustache.Compiler html;
    private final Mustache.Compiler plain;

    MailTemplates(Path directory) {
        this.directory = directory;
        // partials ({{> html-header}}) are looked up like templates: operator's directory first, then built in
        this.html = Mustache.compiler().defaultValue("")
                .withLoader(partial -> new java.io.StringReader(source(partial + ".mustache")));
        this.plain = html.escapeHTML(false);
    }

    /** The file name stem of a type: {@code INSTANCE_READY} → {@code instance-ready}. */
    static String stem(Notification.Type type) {
        return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    Mail render(Notification n) {
        Map<String, Object> ctx = new HashMap<>(n.values());
        List<Map<String, String>> credentials = new ArrayList<>();
        // revealed only into the message body being built; never logged, never kept
        n.credentials().forEach((name, value) -> credentials.add(Map.of("name", name, "value", value.reveal())));
        credentials.sort((a, b) -> a.get("name").compareTo(b.get("name")));
        ctx.put("credentials", credentials);
        ctx.put("hasCredentials", !credentials.isEmpty());
        String stem = stem(n.type());
        String subject = compile(plain, stem + ".subject.mustache").execute(ctx).strip().replaceAll("[\\r\\n]+", " ");
        return new Mail(subject, compile(plain, stem + ".txt.mustache").execute(ctx), compile(html, stem + ".html.mustache").execute(ctx));
    }

    private Template compile(Mustache.Compiler compiler, String name) {
        String source = source(name);
        try {
            return compiler.compile(source);
        } catch (MustacheException e) {
            throw new InvalidSpecException("smtp.templateDirectory", "template " + name + " does not compile: " + e.getMessage());
        }
    }

    private String source(String name) {
        try {
            if (directory != null) {
                Path file = directory.resolve(name);
                if (Files.isRegularFile(file)) {
                    return Files.readString(file, StandardCharsets.UTF_8); // read on every message: edits apply at once
                }
            }
            try (InputStream in = MailTemplates.class.getResourceAsStream(BUILTIN + name)) {
                if (in == null) {
                    throw new IllegalStateException("built-in mail template " + name + " is missing");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading mail template " + name + " failed", e);
        }
    }
}
