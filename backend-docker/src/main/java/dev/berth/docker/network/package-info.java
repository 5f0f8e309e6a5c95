/**
 * The per-instance bridge networks and the shared proxy network of HTTP components.
 */
package dev.berth.docker.network;
