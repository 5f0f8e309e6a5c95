package dev.berth.k3s.kube;

import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import io.kubernetes.client.util.WebSockets;
import okhttp3.WebSocket;
import okio.ByteString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a command in a pod's container through the API server's {@code pods/exec}, as {@code kubectl exec} does:
 * a WebSocket speaking the channel protocol {@code v4.channel.k8s.io}, where every binary message starts with its
 * channel (0 stdin, 1 stdout, 2 stderr, 3 the exit {@link ExitStatus}). The command is run as given, without a
 * shell; Berth's backups ({@code tar} in an archiver pod) and the exec capability both go through here.
 *
 * <p>Output goes to the sinks given to {@link #start}, written from the stream's reader thread in arrival order
 * (a slow sink slows the command down, as a pipe does), and the sinks are closed when the stream ends. Nothing
 * sent on stdin is logged or kept. The v4 protocol has no way to end stdin short of closing the whole stream, so
 * a command that must see the end of its input needs to know its length ({@code head -c N}).
 */
public final class PodExec {

    /** Largest stdin message; the API server relays bigger ones, but small ones keep the send queue smooth. */
    private static final int STDIN_CHUNK = 32 * 1024;
    /** Stdin waits while the socket's send queue holds more than this (OkHttp closes a socket past 16 MiB). */
    private static final long MAX_QUEUED = 1 << 20;
    private static final Duration QUEUE_POLL = Duration.ofMillis(5);

    private final ApiClient client;

    /** Execs through {@code client}'s API server and credentials. */
    public PodExec(ApiClient client) {
        this.client = client;
    }

    /**
     * Starts {@code argv} in {@code container} of the pod and returns once the API server accepted the stream,
     * waiting at most {@code connectTimeout} for that.
     *
     * @param stdin  whether the command gets a stdin ({@link Session#stdin()}); without, it reads an empty one
     * @param stdout where channel 1 goes (closed at the end of the stream)
     * @param stderr where channel 2 goes (closed at the end of the stream)
     * @throws UnavailableException when the stream cannot be opened (no such pod or container, not running,
     *                              API server unreachable)
     */
    public Session start(String namespace, String pod, String container, List<String> argv, boolean stdin,
                         OutputStream stdout, OutputStream stderr, Duration connectTimeout) {
        String where = "pod " + namespace + "/" + pod + " (container " + container + ")";
        List<Pair> query = new ArrayList<>();
        argv.forEach(a -> query.add(new Pair("command", a)));
        query.add(new Pair("container", container));
        query.add(new Pair("stdin", Boolean.toString(stdin)));
        query.add(new Pair("stdout", "true"));
        query.add(new Pair("stderr", "true"));
        query.add(new Pair("tty", "false"));
        Session session = new Session(where, stdout, stderr);
        try {
            WebSockets.stream("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/exec", "GET", query, client,
                    session.listener);
            session.opened.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return session;
        } catch (ApiException | IOException e) {
            session.close();
            throw new UnavailableException("exec into " + where + " failed", e);
        } catch (ExecutionException e) {
            throw new UnavailableException("exec into " + where + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            session.close();
            throw new UnavailableException("exec into " + where + " was not accepted within " + connectTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.close();
            throw new UnavailableException("interrupted while opening exec into " + where, e);
        }
    }

    /** One running command: its stdin, its end, and a way to abandon it. */
    public static final class Session implements AutoCloseable {

        private final String where;
        private final OutputStream stdout;
        private final OutputStream stderr;
        private final ByteArrayOutputStream status = new ByteArrayOutputStream();
        private final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        private final CompletableFuture<ExitStatus> ended = new CompletableFuture<>();
        private final Listener listener = new Listener();
        private volatile String protocol;

        Session(String where, OutputStream stdout, OutputStream stderr) {
            this.where = where;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** The subprotocol the API server chose ({@code v4.channel.k8s.io} on the servers Berth supports). */
        public String protocol() {
            return protocol;
        }

        /**
         * The command's stdin, sent in channel-0 messages. Closing it sends nothing (v4 cannot end stdin; see the
         * class comment). Writes wait while the socket's send queue is full, and fail once the stream has ended.
         */
        public OutputStream stdin() {
            WebSocket socket = opened.getNow(null);
            if (socket == null) {
                throw new IllegalStateException("the exec stream is not open");
            }
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    for (int at = off; at < off + len; at += STDIN_CHUNK) {
                        int n = Math.min(STDIN_CHUNK, off + len - at);
                        Poll.every(QUEUE_POLL).untilTrue(() -> socket.queueSize() <= MAX_QUEUED || ended.isDone(),
                                () -> new UnavailableException("stdin of " + where + " stalled"));
                        byte[] frame = new byte[n + 1];
                        System.arraycopy(b, at, frame, 1, n);   // frame[0] = 0: stdin
                        if (ended.isDone() || !socket.send(ByteString.of(frame))) {
                            throw new IOException("the command in " + where + " ended before it read all its input");
                        }
                    }
                }
            };
        }

        /**
         * Waits until the stream ends, at most {@code timeout}, and returns how the command ended.
         *
         * @throws UnavailableException when it did not end in time (the stream is then closed; Kubernetes does not
         *                              stop the process), the stream broke, or no exit status came
         */
        public ExitStatus awaitExit(Duration timeout) {
            try {
                return ended.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                close();
                throw new UnavailableException("the command in " + where + " did not finish within " + timeout);
            } catch (ExecutionException e) {
                throw new UnavailableException("the exec stream of " + where + " broke: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new UnavailableException("interrupted while waiting for the command in " + where, e);
            }
        }

        /** Abandons the stream if it still runs (its sinks are closed as it ends). Idempotent. */
        @Override
        public void close() {
            WebSocket socket = opened.getNow(null);
            if (socket != null && !ended.isDone()) {
                socket.cancel();
            }
            if (!opened.isDone()) {
                opened.cancel(false);
            }
        }

        /** The stream's events, on OkHttp's reader thread. */
        private final class Listener implements WebSockets.SocketListener {

            @Override
            public void open(String chosen, WebSocket socket) {
                protocol = chosen;
                if (!opened.complete(socket)) {
                    socket.cancel();   // the caller gave up waiting
                }
            }

            @Override
            public void bytesMessage(InputStream in) {
                try (in) {
                    int channel = in.read();
                    OutputStream sink = switch (channel) {
                        case 1 -> stdout;
                        case 2 -> stderr;
                        case 3 -> status;
                        default -> OutputStream.nullOutputStream();
                    };
                    in.transferTo(sink);
                } catch (IOException e) {
                    // the sink's reader went away (a consumer that stopped reading): nobody wants the rest
                    WebSocket socket = opened.getNow(null);
                    if (socket != null) {
                        socket.cancel();
                    }
                }
            }

            @Override
            public void textMessage(Reader in) {
                // base64 variants of the protocol only; v4 sends binary messages
            }

            @Override
            public void failure(Throwable t) {
                finish(t);
            }

            @Override
            public void close() {
                finish(new IOException("the stream ended without an exit status"));
            }
        }

        /** The end of the stream: the exit status when one came (a server may drop the socket right after it). */
        private void finish(Throwable otherwise) {
            closeSinks();
            opened.completeExceptionally(otherwise);
            ExitStatus.parse(status.toString(StandardCharsets.UTF_8)).ifPresentOrElse(ended::complete,
                    () -> ended.completeExceptionally(otherwise));
        }

        private void closeSinks() {
            for (OutputStream sink : List.of(stdout, stderr)) {
                try {
                    sink.close();
                } catch (IOException e) {
                    // a sink whose reader is gone
                }
            }
        }
    }
}
