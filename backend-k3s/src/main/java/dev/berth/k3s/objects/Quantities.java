package dev.berth.k3s.objects;

import io.kubernetes.client.custom.Quantity;

import java.math.BigDecimal;

/**
 * Berth's numbers as Kubernetes quantities, in the canonical form the API server stores them in, so that
 * applying the same plan twice is byte-for-byte the same and therefore a no-op.
 */
public final class Quantities {

    private static final long KI = 1024;

    private Quantities() {
    }

    /** Millicores as a quantity: "250m", or whole cores as "2". */
    public static Quantity cpu(long millis) {
        return new Quantity(millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m");
    }

    /** Bytes as a binary-suffixed quantity ("64Mi", "1Gi"), or plain bytes when not a multiple of 1 Ki. */
    public static Quantity bytes(long bytes) {
        String[] suffixes = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        if (bytes == 0 || bytes % KI != 0) {
            return new Quantity(Long.toString(bytes));
        }
        long n = bytes;
        int i = -1;
        while (n % KI == 0 && i < suffixes.length - 1) {
            n /= KI;
            i++;
        }
        return new Quantity(n + suffixes[i]);
    }

    /** A CPU quantity in millicores (0 for null). */
    public static long millis(Quantity q) {
        return q == null ? 0 : q.getNumber().multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /** A memory or storage quantity in bytes (0 for null). */
    public static long bytes(Quantity q) {
        return q == null ? 0 : q.getNumber().setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }
}
