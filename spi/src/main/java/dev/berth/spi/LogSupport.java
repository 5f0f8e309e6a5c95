package dev.berth.spi;

import java.util.List;

/** Capability: read recent log lines of an instance's component. */
public interface LogSupport {
    /**
     * The last {@code lines} lines written by the component.
     *
     * @throws dev.berth.spi.error.NotFoundException if the instance or the component does not exist
     */
    List<String> tail(String instanceId, String component, int lines);
}
