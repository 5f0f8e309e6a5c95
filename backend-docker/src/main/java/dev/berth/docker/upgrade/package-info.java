/**
 * Version upgrades that keep the old containers until the new ones are ready.
 */
package dev.berth.docker.upgrade;
