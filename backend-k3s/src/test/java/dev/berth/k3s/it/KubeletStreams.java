package dev.berth.k3s.it;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;

/**
 * The kubelet's streaming endpoint for {@code exec}, which the API server proxies {@code pods/exec} to: HTTPS on
 * loopback (the test API server does not verify kubelet certificates), {@code /exec/<ns>/<pod>/<container>?command=…},
 * upgraded to a WebSocket speaking the kubelet's channel protocol {@code v4.channel.k8s.io}: every binary message
 * starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 the exit status as a {@code Status} object).
 * The commands run in the pod's Docker container ({@link DockerPods}).
 */
final class KubeletStreams implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeletStreams.class);
    private static final String PROTOCOL = "v4.channel.k8s.io";
    private static final long MAX_QUEUED = 1 << 20;

    /** Resolves "namespace/pod" to the pod's uid, or null when there is no such pod. */
    interface PodLookup {
        String uid(String namespace, String pod);
    }

    private final MockWebServer server = new MockWebServer();
    private final DockerPods pods;
    private final PodLookup lookup;

    KubeletStreams(DockerPods pods, PodLookup lookup) {
        this.pods = pods;
        this.lookup = lookup;
        HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").build();
        server.useHttps(new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
        server.setProtocols(List.of(Protocol.HTTP_1_1));   // an upgrade is HTTP/1.1 only
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return route(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getPort();
    }

    private MockResponse route(RecordedRequest request) {
        HttpUrl url = request.getUrl();
        List<String> path = url.pathSegments();
        if (path.size() != 4 || !path.get(0).equals("exec")) {
            return new MockResponse.Builder().code(404).body("the fake kubelet streams only exec").build();
        }
        String uid = lookup.uid(path.get(1), path.get(2));
        if (uid == null) {
            return new MockResponse.Builder().code(404).body("no pod " + path.get(1) + "/" + path.get(2)).build();
        }
        List<String> command = url.queryParameterValues("command");
        boolean stdin = "1".equals(url.queryParameter("input")) || "true".equals(url.queryParameter("input"));
        return new MockResponse.Builder().addHeader("Sec-WebSocket-Protocol", PROTOCOL)
                .webSocketUpgrade(new ExecSession(uid, command, stdin)).build();
    }

    /** One exec: runs the command when the socket opens, relays the channels, sends the status and closes. */
    private final class ExecSession extends WebSocketListener {
        private final String podUid;
        private final List<String> command;
        private final PipedOutputStream stdinSink;
        private final PipedInputStream stdin;

        ExecSession(String podUid, List<String> command, boolean withStdin) {
            this.podUid = podUid;
            this.command = command;
            try {
                this.stdin = withStdin ? new PipedInputStream(1 << 16) : null;
                this.stdinSink = withStdin ? new PipedOutputStream(stdin) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void onOpen(WebSocket socket, Response response) {
            Thread runner = new Thread(() -> run(socket), "fake-kubelet-exec");
            runner.setDaemon(true);
            runner.start();
        }

        private void run(WebSocket socket) {
            String status;
            try {
                int exit = pods.exec(podUid, command, stdin, channel(socket, 1), channel(socket, 2));
                status = exit == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                        : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: " + exit
                        + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + exit + "\"}]}}";
            } catch (Exception e) {
                log.warn("fake kubelet: exec {} in pod {} failed", command, podUid, e);
                status = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + e.getClass().getSimpleName() + "\"}";
            }
            byte[] json = status.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            socket.send(frame(3, json, 0, json.length));
            socket.close(1000, null);
            closeStdin();
        }

        @Override
        public void onMessage(WebSocket socket, ByteString bytes) {
            if (bytes.size() > 1 && bytes.getByte(0) == 0 && stdinSink != null) {
                try {
                    stdinSink.write(bytes.substring(1).toByteArray());
                } catch (IOException e) {
                    // the command stopped reading (head -c has what it wanted): drop the rest
                }
            }
        }

        @Override
        public void onClosing(WebSocket socket, int code, String reason) {
            closeStdin();
        }

        @Override
        public void onFailure(WebSocket socket, Throwable t, Response response) {
            closeStdin();
        }

        private void closeStdin() {
            if (stdinSink != null) {
                try {
                    stdinSink.close();
                } catch (IOException e) {
                    // closing a pipe
                }
            }
        }
    }

    /** An output stream writing each chunk as one message on {@code channel}, holding back while the queue is full. */
    private static OutputStream channel(WebSocket socket, int channel) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                while (socket.queueSize() > MAX_QUEUED) {   // OkHttp closes a socket whose queue passes 16 MiB
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                socket.send(frame(channel, b, off, len));
            }
        };
    }

    private static ByteString frame(int channel, byte[] b, int off, int len) {
        byte[] out = new byte[len + 1];
        out[0] = (byte) channel;
        System.arraycopy(b, off, out, 1, len);
        return ByteString.of(out);
    }

    @Override
    public void close() {
        server.close();
    }
}
