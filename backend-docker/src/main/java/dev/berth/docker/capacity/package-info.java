/**
 * Capacity and usage of each Docker host, for placement.
 */
package dev.berth.docker.capacity;
