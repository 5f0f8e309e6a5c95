/**
 * The everyday verbs (provision, suspend, resume, plan change, terminate) built from the create package.
 */
package dev.berth.docker.lifecycle;
