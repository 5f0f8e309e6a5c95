/**
 * Creating an instance's parts: its spec, containers with their limits, data and plan volumes, and the
 * readiness wait that ends a start.
 */
package dev.berth.docker.create;
