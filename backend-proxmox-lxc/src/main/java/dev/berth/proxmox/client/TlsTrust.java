package dev.berth.proxmox.client;

import dev.berth.spi.error.InvalidSpecException;

import java.util.HexFormat;
import java.util.Locale;

/**
 * Which server certificates the client accepts. There is deliberately no "trust everything" option: a Proxmox
 * node's certificate is signed by the cluster's own CA, so either that CA is trusted or the node's certificate
 * is pinned by its SHA-256 fingerprint (as Proxmox nodes pin each other).
 */
public sealed interface TlsTrust {

    /** The JVM's default trust store (nodes with a publicly trusted certificate, e.g. from ACME). */
    record SystemDefault() implements TlsTrust { }

    /**
     * Trust the cluster CA ({@code /etc/pve/pve-root-ca.pem}); host names are verified as usual.
     *
     * @param pem one or more PEM certificates
     */
    record ClusterCa(String pem) implements TlsTrust {
        public ClusterCa {
            if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new InvalidSpecException("tls.caPem", "must contain a PEM certificate");
            }
        }
    }

    /**
     * Accept exactly the certificate whose DER encoding has this SHA-256 ({@code GET /nodes} →
     * {@code ssl_fingerprint}; {@code pvenode cert info}). The pin is the identity, so no host name check.
     *
     * @param sha256 64 hex digits, colons allowed ({@code AB:CD:…})
     */
    record Fingerprint(String sha256) implements TlsTrust {
        public Fingerprint {
            String hex = sha256 == null ? "" : sha256.replace(":", "").toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new InvalidSpecException("tls.fingerprint", "must be a SHA-256 fingerprint (64 hex digits, colons allowed)");
            }
            sha256 = hex;
        }

        /** The fingerprint as raw bytes. */
        public byte[] bytes() {
            return HexFormat.of().parseHex(sha256);
        }
    }
}
