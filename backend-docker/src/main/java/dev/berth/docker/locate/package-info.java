/**
 * Finding an instance's containers on the hosts by Berth's labels, telling canonical containers from an
 * upgrade's rollback copies, and removing everything of an instance.
 */
package dev.berth.docker.locate;
