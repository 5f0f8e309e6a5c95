/**
 * Reading what runs: an instance's status from its containers, the inventory of every instance, and logs.
 */
package dev.berth.docker.inventory;
