package dev.berth.docker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A unix-socket proxy in front of the real Docker daemon, so a test can make "the daemon" disappear for one
 * provider without stopping the daemon other tests use. {@link #down()} closes every connection and the
 * listening socket (clients get "connection refused"); {@link #up()} listens again. {@link #downAfter} takes
 * it down right after it forwarded a request whose first line contains a given text, which leaves the daemon
 * having done the work while the client never hears about it.
 */
final class DockerSocketProxy implements AutoCloseable {

    private final Path socket;
    private final Path upstream;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> tripwire = new AtomicReference<>();
    private volatile ServerSocketChannel server;
    private final java.util.concurrent.atomic.AtomicInteger forwardedRequests = new java.util.concurrent.atomic.AtomicInteger();

    DockerSocketProxy(Path socket, Path upstream) {
        this.socket = socket;
        this.upstream = upstream;
    }

    /** Listens (again). */
    synchronized DockerSocketProxy up() {
        if (server != null) return this;
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket));
            server = s;
            Thread t = new Thread(() -> accept(s), "docker-proxy-accept");
            t.setDaemon(true);
            t.start();
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + socket, e);
        }
    }

    /** Stops listening and cuts every open connection. */
    synchronized void down() {
        ServerSocketChannel s = server;
        server = null;
        closeQuietly(s);
        open.forEach(DockerSocketProxy::closeQuietly);
        open.clear();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the next up() retries the delete
        }
    }

    boolean isUp() {
        return server != null;
    }

    /** Goes {@link #down()} shortly after forwarding the first request whose request line contains {@code text}. */
    void downAfter(String text) {
        tripwire.set(text);
    }

    /** Requests forwarded so far (request lines seen). */
    int forwardedRequests() {
        return forwardedRequests.get();
    }

    Path socket() {
        return socket;
    }

    @Override
    public void close() {
        down();
    }

    private void accept(ServerSocketChannel s) {
        while (s.isOpen()) {
            try {
                SocketChannel client = s.accept();
                SocketChannel daemon = SocketChannel.open(UnixDomainSocketAddress.of(upstream));
                open.add(client);
                open.add(daemon);
                pump(client, daemon, true);
                pump(daemon, client, false);
            } catch (IOException e) {
                return; // closed by down()
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to, boolean requests) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    boolean trip = requests && inspect(buf);
                    while (buf.hasRemaining()) to.write(buf);
                    buf.clear();
                    if (trip) {
                        Thread.sleep(500); // let the daemon act on it, then vanish before the answer
                        down();
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // connection cut: the other pump notices too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "docker-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Counts request lines in a client chunk; true when the tripwire matches one. */
    private boolean inspect(ByteBuffer buf) {
        String chunk = StandardCharsets.ISO_8859_1.decode(buf.duplicate()).toString();
        boolean trip = false;
        for (String line : chunk.split("\r\n")) {
            if (line.matches("(GET|POST|PUT|DELETE|HEAD) /.* HTTP/1\\.[01]")) {
                forwardedRequests.incrementAndGet();
                String wire = tripwire.get();
                if (wire != null && line.contains(wire) && tripwire.compareAndSet(wire, null)) {
                    trip = true;
                }
            }
        }
        return trip;
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
