/**
 * Running commands inside a component's container ({@code docker exec}) for app bootstrap and backup hooks.
 */
package dev.berth.docker.exec;
