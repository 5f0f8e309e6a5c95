package dev.berth.core.catalog;

/**
 * The licence an app is distributed under, as far as it matters to an operator who sells hosted instances.
 *
 * @param spdx                     SPDX identifier, or a {@code LicenseRef-…} for licences SPDX does not list
 * @param notes                    what the licence means for offering the app as a paid service
 * @param requiresAcknowledgement  true when the operator must explicitly acknowledge the licence before the app
 *                                 can be offered (see {@link Catalog#requireOfferable})
 */
public record Licence(String spdx, String notes, boolean requiresAcknowledgement) { }
