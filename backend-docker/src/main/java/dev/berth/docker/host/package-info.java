/**
 * The Docker API layer: one {@link dev.berth.docker.host.DockerHost} per configured daemon, its errors mapped to
 * Berth's, and the labels Berth puts on every object. Depends on nothing else in the backend but its settings.
 */
package dev.berth.docker.host;
