package dev.berth.core.secret;

import dev.berth.spi.SecretValue;

import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SecretCipherTest {

    private static final String OWNER = "inst-7f3a/db-password";
    private static final SecretValue SECRET = SecretValue.of("s3cr3t-Pa55word-\u00e9\u00df-\u2603");

    private final String keysetJson = SecretCipher.generateKeysetJson();
    private final SecretCipher cipher = SecretCipher.fromKeysetJson(keysetJson);

    @Test
    void roundTrip() {
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);

        assertThat(cipher.decrypt(ciphertext, OWNER)).isEqualTo(SECRET);
        assertThat(cipher.decrypt(ciphertext, OWNER).reveal()).isEqualTo(SECRET.reveal());
    }

    @Test
    void ciphertextDoesNotContainThePlaintextAndIsFreshEachTime() {
        byte[] first = cipher.encrypt(SECRET, OWNER);
        byte[] second = cipher.encrypt(SECRET, OWNER);

        assertThat(first).isNotEqualTo(second);
        assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    }

    @Test
    void anotherCipherFromTheSameKeysetDecrypts() {
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);

        assertThat(SecretCipher.fromKeysetJson(keysetJson).decrypt(ciphertext, OWNER)).isEqualTo(SECRET);
    }

    @Test
    void generatedKeysetIsAes256Gcm() {
        assertThat(keysetJson).contains("type.googleapis.com/google.crypto.tink.AesGcmKey");
        assertThat(SecretCipher.generateKeysetJson()).isNotEqualTo(keysetJson);
    }

    @Test
    void wrongAssociatedDataFails() {
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);

        assertUndecryptable(() -> cipher.decrypt(ciphertext, "inst-other/db-password"));
        assertUndecryptable(() -> cipher.decrypt(ciphertext, "inst-7f3a/api-token"));
    }

    @Test
    void wrongKeysetFails() {
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);
        SecretCipher other = SecretCipher.fromKeysetJson(SecretCipher.generateKeysetJson());

        assertUndecryptable(() -> other.decrypt(ciphertext, OWNER));
    }

    @Test
    void tamperedCiphertextFails() {
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);
        for (int i = 0; i < ciphertext.length; i++) {
            byte[] tampered = ciphertext.clone();
            tampered[i] ^= 0x01;
            assertUndecryptable(() -> cipher.decrypt(tampered, OWNER));
        }
        assertUndecryptable(() -> cipher.decrypt(Arrays.copyOf(ciphertext, ciphertext.length - 1), OWNER));
        assertUndecryptable(() -> cipher.decrypt(new byte[0], OWNER));
    }

    @Test
    void blankAssociatedDataIsRejected() {
        assertThatThrownBy(() -> cipher.encrypt(SECRET, " "))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.field()).isEqualTo("associatedData"));
        assertThatThrownBy(() -> cipher.encrypt(SECRET, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void failuresAndToStringRevealNeitherPlaintextNorKey() {
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);
        SecretCipher other = SecretCipher.fromKeysetJson(SecretCipher.generateKeysetJson());
        List<String> texts = new ArrayList<>();
        texts.add(cipher.toString());
        texts.add(describe(catchThrowableOfType(InvalidSpecException.class, () -> cipher.decrypt(ciphertext, "x/y"))));
        texts.add(describe(catchThrowableOfType(InvalidSpecException.class, () -> other.decrypt(ciphertext, OWNER))));

        List<String> keyMaterial = keyValues(keysetJson);
        assertThat(keyMaterial).isNotEmpty();
        for (String text : texts) {
            assertThat(text).doesNotContain(SECRET.reveal()).doesNotContain("s3cr3t").doesNotContain(keysetJson);
            for (String key : keyMaterial) {
                assertThat(text).doesNotContain(key);
            }
        }
        assertThat(cipher.toString()).startsWith("SecretCipher[").contains("keys=1");
    }

    @Test
    void invalidKeysetJsonNamesTheField() {
        for (String json : new String[] {"", "   ", "not json", "{}", "{\"primaryKeyId\": 1, \"key\": []}",
                keysetJson.substring(0, keysetJson.length() / 2)}) {
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                    () -> SecretCipher.fromKeysetJson(json));
            assertThat(e).as("keyset %s", json).isNotNull();
            assertThat(e.field()).isEqualTo("keyset");
            assertThat(e.getCause()).isNull();
        }
        assertThatThrownBy(() -> SecretCipher.fromKeysetJson(null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("keyset"));
    }

    @Test
    void corruptKeysetMessageDoesNotQuoteKeyMaterial() {
        String key = keyValues(keysetJson).get(0);
        String corrupt = keysetJson.replace("\"ENABLED\"", "\"BOGUS\"").replace("{", "{ \"junk\": ");

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SecretCipher.fromKeysetJson(corrupt));

        assertThat(e.field()).isEqualTo("keyset");
        assertThat(describe(e)).doesNotContain(key);
    }

    @Test
    void fromFileReadsTheKeyset(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyset.json");
        Files.writeString(file, keysetJson);
        byte[] ciphertext = cipher.encrypt(SECRET, OWNER);

        assertThat(SecretCipher.fromFile(file).decrypt(ciphertext, OWNER)).isEqualTo(SECRET);
    }

    @Test
    void fromFileRejectsMissingAndInvalidFiles(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SecretCipher.fromFile(dir.resolve("absent.json")))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.field()).isEqualTo("keysetFile"));

        Path garbage = dir.resolve("garbage.json");
        Files.writeString(garbage, "{\"hello\": \"world\"}");
        assertThatThrownBy(() -> SecretCipher.fromFile(garbage))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("keyset"));
    }

    private static void assertUndecryptable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("secret");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getCause()).isNull();
                })
                .hasMessage("secret: cannot be decrypted: wrong key or data tampered");
    }

    /** Message, toString and stack trace text of an exception and its causes. */
    private static String describe(Throwable t) {
        assertThat(t).isNotNull();
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return t + "\n" + out;
    }

    /** The base64 key values in a cleartext Tink JSON keyset. */
    private static List<String> keyValues(String json) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }
}
