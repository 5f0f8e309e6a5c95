package dev.berth.core.secret;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.berth.core.store.Database;
import dev.berth.core.store.InstanceSecretEntity;
import dev.berth.spi.SecretValue;
import jakarta.persistence.EntityManager;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generated secrets of each instance, encrypted at rest with the operator's key. Each ciphertext is bound
 * to its instance and name (associated data), so a row copied to another instance does not decrypt.
 */
public final class InstanceSecrets {

    private final Database db;
    private final SecretCipher cipher;
    private final SecretGenerator generator;

    public InstanceSecrets(Database db, SecretCipher cipher, SecretGenerator generator) {
        this.db = db;
        this.cipher = cipher;
        this.generator = generator;
    }

    /**
     * A secret to generate: drawn at random ({@code length} characters of {@code alphabet}), or, when
     * {@code bcryptOf} names another secret of the same instance, that secret's bcrypt hash.
     */
    public record Spec(String name, int length, SecretAlphabet alphabet, String bcryptOf) {

        /** A random secret. */
        public Spec(String name, int length, SecretAlphabet alphabet) {
            this(name, length, alphabet, null);
        }

        /** The bcrypt hash of the instance's secret {@code source}. */
        public static Spec bcryptOf(String name, String source) {
            return new Spec(name, 0, null, source);
        }
    }

    /** bcrypt's work factor: 10 is what n8n and most apps use themselves. */
    private static final int BCRYPT_COST = 10;

    /**
     * Generates and stores every secret in {@code specs} the instance does not have yet: random ones first, then
     * those derived from them. Existing secrets are never regenerated (n8n's encryption key must stay the same for
     * the instance's whole life).
     */
    public void ensure(EntityManager em, String instanceId, Iterable<Spec> specs) {
        List<Spec> derived = new ArrayList<>();
        for (Spec spec : specs) {
            if (spec.bcryptOf() != null) {
                derived.add(spec);
            } else if (!exists(em, instanceId, spec.name())) {
                store(em, instanceId, spec.name(), generator.generate(spec.length(), spec.alphabet()));
            }
        }
        em.flush(); // derived secrets read the random ones just stored
        for (Spec spec : derived) {
            if (!exists(em, instanceId, spec.name())) {
                InstanceSecretEntity source = em.find(InstanceSecretEntity.class, new InstanceSecretEntity.Key(instanceId, spec.bcryptOf()));
                if (source == null) {
                    throw new IllegalStateException("secret " + spec.name() + " is derived from " + spec.bcryptOf()
                            + ", which instance " + instanceId + " does not have");
                }
                SecretValue plain = cipher.decrypt(source.ciphertext, associatedData(instanceId, spec.bcryptOf()));
                char[] chars = plain.reveal().toCharArray();
                try {
                    String hash = BCrypt.with(BCrypt.Version.VERSION_2A).hashToString(BCRYPT_COST, chars);
                    store(em, instanceId, spec.name(), SecretValue.of(hash));
                } finally {
                    Arrays.fill(chars, '\0');
                }
            }
        }
    }

    private static boolean exists(EntityManager em, String instanceId, String name) {
        return em.find(InstanceSecretEntity.class, new InstanceSecretEntity.Key(instanceId, name)) != null;
    }

    private void store(EntityManager em, String instanceId, String name, SecretValue value) {
        SecretLedger.record(value);
        InstanceSecretEntity e = new InstanceSecretEntity();
        e.instanceId = instanceId;
        e.name = name;
        e.ciphertext = cipher.encrypt(value, associatedData(instanceId, name));
        em.persist(e);
    }

    /** Decrypts all secrets of an instance, by name. */
    public Map<String, SecretValue> load(String instanceId) {
        return db.read(em -> load(em, instanceId));
    }

    /** As {@link #load(String)}, in the caller's transaction. */
    public Map<String, SecretValue> load(EntityManager em, String instanceId) {
        Map<String, SecretValue> out = new TreeMap<>();
        for (InstanceSecretEntity e : em.createQuery("select s from InstanceSecretEntity s where s.instanceId = :i", InstanceSecretEntity.class)
                .setParameter("i", instanceId).getResultList()) {
            out.put(e.name, cipher.decrypt(e.ciphertext, associatedData(instanceId, e.name)));
        }
        return out;
    }

    /**
     * Deletes every secret of an instance. Only for an instance that is gone and whose last backup is gone too:
     * a retained backup of n8n is unreadable without its encryption key.
     *
     * @return how many secrets were deleted
     */
    public int purge(String instanceId) {
        return db.inTransaction(em -> em.createQuery("delete from InstanceSecretEntity s where s.instanceId = :i")
                .setParameter("i", instanceId).executeUpdate());
    }

    /** True when the instance still has stored secrets. */
    public boolean has(String instanceId) {
        return db.read(em -> em.createQuery("select count(s) from InstanceSecretEntity s where s.instanceId = :i", Long.class)
                .setParameter("i", instanceId).getSingleResult()) > 0;
    }

    private static String associatedData(String instanceId, String name) {
        return "berth/instance/" + instanceId + "/" + name;
    }
}
