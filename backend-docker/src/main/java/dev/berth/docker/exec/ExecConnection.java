package dev.berth.docker.exec;

import com.github.dockerjava.core.LocalDirectorySSLConfig;
import dev.berth.docker.DockerHostConfig;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One hijacked {@code POST /exec/<id>/start} connection to the Docker API, spoken by hand because docker-java's
 * transports never half-close the connection after stdin ends, so a command reading its input to the end
 * ({@code cat}, {@code psql < dump}) would never see EOF. Here {@link #closeStdin()} shuts down the write side,
 * as the docker CLI does, while stdout and stderr keep arriving. Unix sockets, plain TCP and TLS endpoints.
 */
final class ExecConnection implements Closeable {

    private final Closeable resource;
    private final InputStream in;
    private final OutputStream out;
    private final IoAction shutdownOutput;

    private interface IoAction {
        void run() throws IOException;
    }

    private ExecConnection(Closeable resource, InputStream in, OutputStream out, IoAction shutdownOutput) {
        this.resource = resource;
        this.in = in;
        this.out = out;
        this.shutdownOutput = shutdownOutput;
    }

    /** Connects to the host's endpoint and starts exec {@code execId}; the stream is then the command's. */
    static ExecConnection start(DockerHostConfig host, String execId) throws IOException {
        ExecConnection c = open(host);
        try {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8);
            String head = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.length + "\r\n\r\n";
            c.out.write(head.getBytes(StandardCharsets.US_ASCII));
            c.out.write(body);
            c.out.flush();
            int status = c.readStatus();
            if (status != 101 && status != 200) {
                byte[] error = c.in.readNBytes(2048);
                throw new ExecStartException(status, new String(error, StandardCharsets.UTF_8).strip());
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static ExecConnection open(DockerHostConfig host) throws IOException {
        if ("unix".equals(host.endpoint().getScheme())) {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(host.endpoint().getPath()));
            // direct channel reads and writes: Channels.newInputStream would serialise them on one lock (JDK 17)
            return new ExecConnection(ch, new InputStream() {
                @Override public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }
                @Override public int read(byte[] b, int off, int len) throws IOException {
                    return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
                }
            }, new OutputStream() {
                @Override public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }
                @Override public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) ch.write(buf);
                }
            }, ch::shutdownOutput);
        }
        Socket s = host.tlsVerify()
                ? new LocalDirectorySSLConfig(host.certPath()).getSSLContext().getSocketFactory().createSocket()
                : new Socket();
        try {
            s.connect(new InetSocketAddress(host.endpoint().getHost(), host.endpoint().getPort()), 5_000);
        } catch (IOException e) {
            s.close();
            throw e;
        } catch (Exception e) {
            s.close();
            throw new IOException("cannot set up TLS to " + host.endpoint() + ": " + e.getMessage(), e);
        }
        return new ExecConnection(s, s.getInputStream(), s.getOutputStream(), s::shutdownOutput);
    }

    /** Reads the status line and headers of the response; returns the status code. */
    private int readStatus() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("Docker closed the exec connection before answering");
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16 * 1024) throw new IOException("oversized response header from Docker");
        }
        String[] status = head.toString(StandardCharsets.US_ASCII).split(" ", 3);
        return Integer.parseInt(status[1].strip());
    }

    /** Writes the command's stdin. */
    OutputStream stdin() {
        return out;
    }

    /** Ends the command's stdin (half-close): the command reads EOF, its output still arrives. */
    void closeStdin() throws IOException {
        out.flush();
        shutdownOutput.run();
    }

    /**
     * Reads the multiplexed output until the command ends, handing each frame's payload to {@code sink} with
     * its stream (1 stdout, 2 stderr).
     */
    void readFrames(FrameSink sink) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[16 * 1024];
        while (true) {
            int n = in.readNBytes(header, 0, 8);
            if (n < 8) return; // the command ended and Docker closed the stream
            long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            while (size > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, size));
                if (r < 0) return;
                sink.accept(header[0], buf, r);
                size -= r;
            }
        }
    }

    /** Receives output frames. */
    interface FrameSink {
        void accept(int stream, byte[] data, int length);
    }

    /** Docker refused to start the exec (the container stopped meanwhile, …). */
    static final class ExecStartException extends IOException {
        final int status;

        ExecStartException(int status, String body) {
            super("Docker answered " + status + (body.isEmpty() ? "" : ": " + body));
            this.status = status;
        }
    }

    @Override
    public void close() throws IOException {
        resource.close();
    }
}
