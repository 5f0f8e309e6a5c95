package dev.berth.examples.server;

/**
 * Joins the path Jackson reports ({@code plans[0].resources}) with the field a core record names in its
 * {@code InvalidSpecException} ({@code cpuRequestMillis}). Some core records already name their own prefix
 * ({@code smtp.from}, {@code overcommit.cpu}); the prefix is then not repeated.
 */
public final class FieldPath {

    private FieldPath() {
    }

    /** {@code at} + "." + {@code field}, without repeating {@code at}'s last segment when {@code field} starts with it. */
    public static String join(String at, String field) {
        if (at == null || at.isEmpty()) return field;
        int cut = Math.max(at.lastIndexOf('.'), at.lastIndexOf(']'));
        String last = at.substring(cut + 1);
        if (!last.isEmpty() && field.startsWith(last + ".")) {
            return at.substring(0, cut + 1) + (cut >= 0 && at.charAt(cut) == '.' ? "" : cut >= 0 ? "." : "") + field;
        }
        return at + "." + field;
    }
}
