package dev.berth.proxmox.client;

import dev.berth.spi.error.InvalidSpecException;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds the socket factory, trust manager and host name policy for a {@link TlsTrust}. */
record TlsSetup(SSLSocketFactory socketFactory, X509TrustManager trustManager, HostnameVerifier hostnameVerifier) {

    static TlsSetup of(TlsTrust trust) {
        try {
            if (trust instanceof TlsTrust.ClusterCa ca) {
                return withTrustManager(defaultTrustManager(caStore(ca.pem())), null);
            }
            if (trust instanceof TlsTrust.Fingerprint f) {
                // the pinned certificate is the node's identity; a name check would only add a way to fail
                return withTrustManager(new PinnedTrustManager(f.bytes()), (host, session) -> true);
            }
            return withTrustManager(defaultTrustManager(null), null);
        } catch (GeneralSecurityException e) {
            throw new InvalidSpecException("tls", "cannot set up TLS: " + e.getMessage());
        }
    }

    private static TlsSetup withTrustManager(X509TrustManager tm, HostnameVerifier verifier) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{tm}, null);
        return new TlsSetup(context.getSocketFactory(), tm, verifier);
    }

    private static KeyStore caStore(String pem) throws GeneralSecurityException {
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certs.isEmpty()) {
            throw new InvalidSpecException("tls.caPem", "contains no certificate");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate c : certs) {
            store.setCertificateEntry("pve-ca-" + i++, c);
        }
        return store;
    }

    private static X509TrustManager defaultTrustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager available");
    }

    /** Accepts a server whose leaf certificate's DER has exactly the pinned SHA-256. */
    private static final class PinnedTrustManager implements X509TrustManager {
        private final byte[] pin;

        private PinnedTrustManager(byte[] pin) {
            this.pin = pin.clone();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("server sent no certificate");
            }
            byte[] actual;
            try {
                actual = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
            }
            if (!MessageDigest.isEqual(actual, pin)) {
                throw new CertificateException("server certificate does not match the pinned SHA-256 fingerprint");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not checked here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
