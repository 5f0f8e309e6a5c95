package dev.berth.core.node;

/** Whether a node takes new instances. Only ONLINE nodes receive placements. */
public enum NodeStatus {
    /** Healthy and accepting placements. */
    ONLINE,
    /** Unreachable; its instances are reported, nothing new goes there. */
    OFFLINE,
    /** No new placements; existing instances stay (being emptied). */
    DRAINING,
    /** No new placements, without the intent to empty it. */
    CORDONED,
    /** Under maintenance: no placements, health alarms muted. */
    MAINTENANCE
}
