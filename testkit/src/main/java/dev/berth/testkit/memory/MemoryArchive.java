package dev.berth.testkit.memory;

import dev.berth.spi.error.BerthException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The in-memory provider's archive format: an instance's data map, encoded deterministically. */
final class MemoryArchive {

    private static final String ARCHIVE_MAGIC = "berth-memory-archive-v1";

    private MemoryArchive() {
    }

    static byte[] encode(Map<String, String> data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, ARCHIVE_MAGIC);
            out.writeInt(data.size());
            for (Map.Entry<String, String> e : data.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static Map<String, String> decode(byte[] archive, String backupId) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(archive))) {
            if (!ARCHIVE_MAGIC.equals(readString(in))) {
                throw new IOException("not an in-memory provider archive");
            }
            int n = in.readInt();
            Map<String, String> data = new HashMap<>();
            for (int i = 0; i < n; i++) {
                data.put(readString(in), readString(in));
            }
            return data;
        } catch (IOException | RuntimeException e) {
            throw new BerthException("backup '" + backupId + "' is not a readable archive", false, e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > in.available()) {
            throw new IOException("corrupt length " + len);
        }
        return new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }
}
