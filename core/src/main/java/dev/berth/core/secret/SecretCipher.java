package dev.berth.core.secret;

import dev.berth.spi.SecretValue;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.berth.spi.error.InvalidSpecException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts secrets at rest with a Google Tink AEAD keyset supplied by the operator.
 *
 * <p>The keyset is a cleartext Tink keyset in JSON (as written by {@link #generateKeysetJson()} or by
 * {@code tinkey create-keyset --key-template AES256_GCM --out-format json}); protecting that file is the
 * operator's job. Any Tink AEAD keyset is accepted, so keys can be rotated with Tink's usual tooling: new
 * ciphertexts use the primary key, old ones still decrypt with the key that made them.
 *
 * <p>Every call takes associated data that binds a ciphertext to its owner, for example
 * {@code instanceId + "/" + secretName}. It is authenticated, not encrypted: a ciphertext copied onto another
 * owner, or decrypted with another keyset, or altered in any way, fails to decrypt.
 *
 * <p>Failures never carry the plaintext or key material, and {@link #toString()} shows only key ids.
 * Thread-safe.
 */
public final class SecretCipher {

    private static final String KEYSET_FIELD = "keyset";
    private static final String KEYSET_FILE_FIELD = "keysetFile";
    private static final String AD_FIELD = "associatedData";
    private static final String SECRET_FIELD = "secret";

    private static volatile boolean registered;

    private final Aead aead;
    private final int primaryKeyId;
    private final int keyCount;

    private SecretCipher(Aead aead, int primaryKeyId, int keyCount) {
        this.aead = aead;
        this.primaryKeyId = primaryKeyId;
        this.keyCount = keyCount;
    }

    /**
     * A cipher for the given cleartext Tink keyset JSON.
     *
     * @throws InvalidSpecException (field {@code "keyset"}) when the text is missing, is not a Tink JSON keyset
     *                              or holds keys that are not AEAD keys
     */
    public static SecretCipher fromKeysetJson(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidSpecException(KEYSET_FIELD, "is missing");
        }
        registerTink();
        KeysetHandle handle;
        try {
            handle = TinkJsonProtoKeysetFormat.parseKeyset(
                    json, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | RuntimeException e) {
            // the cause is dropped on purpose: parser messages may quote the input, which holds key material
            throw new InvalidSpecException(KEYSET_FIELD, "is not a valid Tink JSON keyset");
        }
        Aead aead;
        try {
            aead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidSpecException(KEYSET_FIELD, "is not a Tink AEAD keyset");
        }
        return new SecretCipher(aead, handle.getPrimary().getId(), handle.size());
    }

    /**
     * A cipher for the cleartext Tink keyset JSON in {@code file} (UTF-8).
     *
     * @throws InvalidSpecException (field {@code "keysetFile"}) when the file cannot be read, or (field
     *                              {@code "keyset"}) when its content is not a usable keyset
     */
    public static SecretCipher fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidSpecException(KEYSET_FILE_FIELD, "cannot read " + file);
        }
        return fromKeysetJson(json);
    }

    /**
     * A new cleartext keyset JSON with one fresh AES256_GCM key, for setup tooling or a first start. The result
     * is key material: write it to a file only the operator can read, never log it.
     */
    public static String generateKeysetJson() {
        registerTink();
        try {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, RegistryConfiguration.get());
            return TinkJsonProtoKeysetFormat.serializeKeyset(
                    handle, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an AES256_GCM keyset", e);
        }
    }

    /**
     * Encrypts {@code value}, binding the ciphertext to {@code associatedData}.
     *
     * @param associatedData the owner of the secret, for example {@code instanceId + "/" + secretName}; not blank
     * @return a self-contained ciphertext (it names the key that made it)
     */
    public byte[] encrypt(SecretValue value, String associatedData) {
        Objects.requireNonNull(value, "value");
        byte[] ad = associatedData(associatedData);
        byte[] plaintext = value.reveal().getBytes(StandardCharsets.UTF_8);
        try {
            return aead.encrypt(plaintext, ad);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secret encryption failed", e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * Decrypts a ciphertext made by {@link #encrypt} with the same associated data and a keyset that holds the
     * key that made it.
     *
     * @throws InvalidSpecException (field {@code "secret"}) when the ciphertext was made with another key or for
     *                              other associated data, or was altered
     */
    public SecretValue decrypt(byte[] ciphertext, String associatedData) {
        Objects.requireNonNull(ciphertext, "ciphertext");
        byte[] ad = associatedData(associatedData);
        byte[] plaintext;
        try {
            plaintext = aead.decrypt(ciphertext, ad);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw undecryptable();
        }
        try {
            return SecretValue.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(plaintext))
                    .toString());
        } catch (CharacterCodingException e) {
            throw undecryptable();
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static InvalidSpecException undecryptable() {
        return new InvalidSpecException(SECRET_FIELD, "cannot be decrypted: wrong key or data tampered");
    }

    private static byte[] associatedData(String associatedData) {
        Objects.requireNonNull(associatedData, "associatedData");
        if (associatedData.isBlank()) {
            throw new InvalidSpecException(AD_FIELD, "must not be blank: it binds a ciphertext to its owner");
        }
        return associatedData.getBytes(StandardCharsets.UTF_8);
    }

    private static void registerTink() {
        if (registered) {
            return;
        }
        synchronized (SecretCipher.class) {
            if (!registered) {
                try {
                    AeadConfig.register();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("cannot register Tink AEAD key managers", e);
                }
                registered = true;
            }
        }
    }

    /** Names the primary key id and the number of keys; never key material. */
    @Override
    public String toString() {
        return "SecretCipher[aead, primaryKeyId=" + Integer.toUnsignedString(primaryKeyId) + ", keys=" + keyCount + "]";
    }
}
