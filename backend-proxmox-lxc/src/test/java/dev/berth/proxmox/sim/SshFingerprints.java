package dev.berth.proxmox.sim;

import org.apache.sshd.common.config.keys.KeyUtils;

import java.security.PublicKey;

/** OpenSSH-style SHA-256 fingerprints ({@code SHA256:base64}) as {@code ssh-keygen -l} prints them. */
final class SshFingerprints {

    private SshFingerprints() {
    }

    /** The fingerprint without the {@code SHA256:} prefix. */
    static String sha256(PublicKey key) {
        String fp = KeyUtils.getFingerPrint(org.apache.sshd.common.digest.BuiltinDigests.sha256, key);
        return fp.startsWith("SHA256:") ? fp.substring("SHA256:".length()) : fp;
    }
}
