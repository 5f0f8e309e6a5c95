package dev.berth.core.secret;

import dev.berth.spi.SecretValue;

import dev.berth.core.store.Database;
import dev.berth.core.store.InstanceSecretEntity;
import jakarta.persistence.EntityManager;

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

    /** A secret to generate: name, length, alphabet. */
    public record Spec(String name, int length, SecretAlphabet alphabet) { }

    /**
     * Generates and stores every secret in {@code specs} the instance does not have yet. Existing secrets are
     * never regenerated (n8n's encryption key must stay the same for the instance's whole life).
     */
    public void ensure(EntityManager em, String instanceId, Iterable<Spec> specs) {
        for (Spec spec : specs) {
            var key = new InstanceSecretEntity.Key(instanceId, spec.name());
            if (em.find(InstanceSecretEntity.class, key) == null) {
                InstanceSecretEntity e = new InstanceSecretEntity();
                e.instanceId = instanceId;
                e.name = spec.name();
                e.ciphertext = cipher.encrypt(generator.generate(spec.length(), spec.alphabet()), associatedData(instanceId, spec.name()));
                em.persist(e);
            }
        }
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
