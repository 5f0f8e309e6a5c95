/**
 * Moving an instance between two Docker hosts with its data.
 */
package dev.berth.docker.migration;
