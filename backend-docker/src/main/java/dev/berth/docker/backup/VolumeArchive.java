package dev.berth.docker.backup;

import dev.berth.spi.error.BerthException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backup format of the Docker provider: one tar whose top-level directories are
 * {@code <component>/<volume>/}, each holding the content of that volume with owners, modes and times as
 * Docker's archive API reported them. Also compares a volume's content with an archive, entry by entry, to
 * verify a restore.
 */
final class VolumeArchive implements AutoCloseable {

    /** Fingerprint key of the volume's root directory. */
    static final String ROOT = ".";

    private final TarArchiveOutputStream out;

    /** Starts an archive written to {@code target}. */
    VolumeArchive(OutputStream target) {
        this.out = new TarArchiveOutputStream(target);
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /**
     * Appends one volume from the tar stream Docker returns for its mount path (entries start with the path's
     * last segment, which is replaced by {@code component/volume}).
     */
    void add(String component, String volume, InputStream dockerTar) throws IOException {
        String prefix = component + "/" + volume + "/";
        TarArchiveInputStream in = new TarArchiveInputStream(dockerTar);
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
            String relative = stripFirstSegment(e.getName());
            e.setName(relative.isEmpty() ? prefix : prefix + relative);
            out.putArchiveEntry(e);
            if (e.isFile()) {
                in.transferTo(out);
            }
            out.closeArchiveEntry();
        }
    }

    @Override
    public void close() throws IOException {
        out.finish();
        out.close();
    }

    /**
     * Writes the entries of {@code component/volume} from an archive into {@code target} as a tar whose entries
     * start with {@code rootName/}, the root directory's own entry (owner, mode, times) first among them. Docker's
     * archive API extracts it into the mount path's parent directory: a fresh volume's root is the mount point
     * Docker made as root, and only an entry naming it from outside gets its owner and mode applied (Docker skips
     * a {@code ./} entry inside the directory it extracts into).
     */
    static void extract(Path archive, String component, String volume, String rootName, OutputStream target) throws IOException {
        String prefix = component + "/" + volume + "/";
        try (InputStream raw = Files.newInputStream(archive);
             TarArchiveInputStream in = new TarArchiveInputStream(raw);
             TarArchiveOutputStream out = new TarArchiveOutputStream(target)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (!e.getName().startsWith(prefix)) {
                    continue;
                }
                e.setName(rootName + "/" + e.getName().substring(prefix.length()));
                out.putArchiveEntry(e);
                if (e.isFile()) {
                    in.transferTo(out);
                }
                out.closeArchiveEntry();
            }
            out.finish();
        }
    }

    /**
     * Fingerprint of one volume inside an archive: relative path → content digest, link target or "dir", and
     * {@value #ROOT} → the root directory's mode and owner.
     */
    static Map<String, String> fingerprint(Path archive, String component, String volume) throws IOException {
        String prefix = component + "/" + volume + "/";
        Map<String, String> result = new TreeMap<>();
        try (InputStream raw = Files.newInputStream(archive); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals(prefix)) {
                    result.put(ROOT, describeRoot(e));
                } else if (e.getName().startsWith(prefix)) {
                    result.put(trimSlash(e.getName().substring(prefix.length())), describe(e, in));
                }
            }
        }
        return result;
    }

    /** Fingerprint of the tar Docker returns for a mount path (same keys as {@link #fingerprint(Path, String, String)}). */
    static Map<String, String> fingerprint(InputStream dockerTar) throws IOException {
        Map<String, String> result = new TreeMap<>();
        TarArchiveInputStream in = new TarArchiveInputStream(dockerTar);
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
            String relative = trimSlash(stripFirstSegment(e.getName()));
            result.put(relative.isEmpty() ? ROOT : relative, relative.isEmpty() ? describeRoot(e) : describe(e, in));
        }
        return result;
    }

    /** Hex SHA-256 and size of a file. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new BerthException("SHA-256 is not available", false, e);
        }
    }

    /**
     * The volume root with its owner: unlike the entries below it, Docker creates it itself (as root) for a fresh
     * volume, so a restore that did not bring the archived owner back must not pass as a copy.
     */
    private static String describeRoot(TarArchiveEntry e) {
        return "dir " + Integer.toOctalString(e.getMode() & 07777) + " " + e.getLongUserId() + ":" + e.getLongGroupId();
    }

    private static String describe(TarArchiveEntry e, InputStream in) throws IOException {
        if (e.isDirectory()) {
            return "dir " + Integer.toOctalString(e.getMode() & 07777);
        }
        if (e.isSymbolicLink() || e.isLink()) {
            return "link " + e.getLinkName();
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return "file " + Integer.toOctalString(e.getMode() & 07777) + " " + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException ex) {
            throw new BerthException("SHA-256 is not available", false, ex);
        }
    }

    private static String stripFirstSegment(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? "" : name.substring(slash + 1);
    }

    private static String trimSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }
}
