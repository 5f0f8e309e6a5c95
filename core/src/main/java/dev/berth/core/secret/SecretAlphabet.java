package dev.berth.core.secret;

/** The characters a {@link SecretGenerator} draws from. */
public enum SecretAlphabet {

    /** {@code A-Z a-z 0-9}: 62 symbols, about 5.95 bits per character; safe in URLs, shells and config files. */
    ALPHANUMERIC("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),

    /** {@code 0-9 a-f} (lower case): 16 symbols, 4 bits per character. */
    HEX("0123456789abcdef"),

    /** The URL-safe Base64 alphabet {@code A-Z a-z 0-9 - _} (RFC 4648 §5, no padding): 64 symbols, 6 bits per character. */
    BASE64URL("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private final String symbols;

    SecretAlphabet(String symbols) {
        this.symbols = symbols;
    }

    /** Every character this alphabet may produce, each exactly once. */
    public String symbols() {
        return symbols;
    }

    /** Number of distinct symbols. */
    public int size() {
        return symbols.length();
    }
}
