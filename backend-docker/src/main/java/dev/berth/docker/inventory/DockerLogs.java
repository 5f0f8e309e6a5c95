package dev.berth.docker.inventory;

import com.github.dockerjava.api.model.Container;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.locate.Located;
import dev.berth.spi.LogSupport;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.util.List;

/** {@link LogSupport} for Docker: the tail of a component container's log, stdout and stderr interleaved. */
public final class DockerLogs implements LogSupport {

    private final InstanceLocator locator;

    /** Logs of the instances the locator finds. */
    public DockerLogs(InstanceLocator locator) {
        this.locator = locator;
    }

    @Override
    public List<String> tail(String instanceId, String component, int lines) {
        if (lines <= 0) {
            throw new InvalidSpecException("lines", "must be positive");
        }
        Located at = locator.require(instanceId);
        Container c = at.containers().stream().filter(x -> component.equals(x.getLabels().get(DockerLabels.COMPONENT))).findFirst()
                .orElseThrow(() -> new NotFoundException("component", instanceId + "/" + component));
        return at.host().logs(c.getId(), lines);
    }
}
