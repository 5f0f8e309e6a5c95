package dev.berth.docker.locate;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where an instance was found: the host holding it and its canonical (non-rollback) containers, in component
 * order, as listed (see {@link InstanceContainers#canonical}).
 *
 * @param host       the Docker host the containers are on
 * @param containers the instance's containers on that host
 */
public record Located(DockerHost host, List<Container> containers) {

    /** Every container inspected, in component order (listing does not give limits, env or addresses). */
    public List<InspectContainerResponse> inspectAll() {
        List<InspectContainerResponse> out = new ArrayList<>();
        for (Container c : containers) {
            out.add(host.inspect(c.getId()));
        }
        out.sort(Comparator.comparingInt(c -> Integer.parseInt(DockerLabels.read(c, DockerLabels.COMPONENT_INDEX, "0"))));
        return out;
    }
}
