package dev.berth.docker;

import dev.berth.spi.error.InvalidSpecException;

import java.net.URI;

/**
 * One Docker host Berth places instances on; each host is one Berth node whose target is {@link #name()}.
 *
 * @param name      target name of the node ("local", "edge-1")
 * @param endpoint  Docker API endpoint: {@code unix:///var/run/docker.sock} or {@code tcp://10.0.0.5:2376}
 * @param tlsVerify verify the daemon's certificate and present a client certificate (TCP only)
 * @param certPath  directory with {@code ca.pem}, {@code cert.pem} and {@code key.pem}, required with TLS
 * @param diskBytes disk capacity reported for the node; 0 means "measure the daemon's data directory", which
 *                  works only when the daemon runs on this machine
 */
public record DockerHostConfig(String name, URI endpoint, boolean tlsVerify, String certPath, long diskBytes) {

    public DockerHostConfig {
        if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new InvalidSpecException("hosts", "host name '" + name + "' must be letters, digits, '.', '_' or '-'");
        }
        if (endpoint == null || !("unix".equals(endpoint.getScheme()) || "tcp".equals(endpoint.getScheme()))) {
            throw new InvalidSpecException("hosts." + name, "endpoint must be unix:///path or tcp://host:port, was " + endpoint);
        }
        if (tlsVerify && "unix".equals(endpoint.getScheme())) {
            throw new InvalidSpecException("hosts." + name + ".tlsVerify", "TLS applies to tcp:// endpoints only");
        }
        if (tlsVerify && (certPath == null || certPath.isBlank())) {
            throw new InvalidSpecException("hosts." + name + ".certPath", "is required when tlsVerify is true");
        }
        if (diskBytes < 0) {
            throw new InvalidSpecException("hosts." + name + ".diskBytes", "must not be negative");
        }
    }

    /** A local host on a unix socket without TLS. */
    public static DockerHostConfig unix(String name, String socketPath) {
        return new DockerHostConfig(name, URI.create("unix://" + socketPath), false, null, 0);
    }
}
