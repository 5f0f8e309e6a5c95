package dev.berth.core.node;

import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Validation of node, health, plan-placement and label inputs: each bad input names its field. */
class NodeRulesTest {

    private static final Node NODE = new Node("n1", "docker", null, Map.of("region", "eu"),
            new Capacity(8000, 16L << 30, 100L << 30), new Overcommit(4, 1, 1), 0.3, null, NodeStatus.ONLINE);

    private static void rejects(Runnable r, String field) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @Test
    void nodeUpdateAppliesOnlyWhatIsGivenAndValidatesTheResult() {
        Node n = NodeUpdate.none().withLabels(Map.of("region", "us")).withReservedFraction(0.4).applyTo(NODE);
        assertThat(n.labels()).containsExactly(Map.entry("region", "us"));
        assertThat(n.reservedFraction()).isEqualTo(0.4);
        assertThat(n.capacity()).isEqualTo(NODE.capacity());
        assertThat(n.overcommit()).isEqualTo(NODE.overcommit());
        assertThat(NodeUpdate.none().applyTo(NODE)).isEqualTo(NODE);
        rejects(() -> NodeUpdate.none().withReservedFraction(-0.1).applyTo(NODE), "reservedFraction");
        rejects(() -> NodeUpdate.none().withLabels(Map.of("k", "")).applyTo(NODE), "labels");
        rejects(() -> new Overcommit(0.5, 1, 1), "overcommit.cpu");
        rejects(() -> new Overcommit(4, 9, 1), "overcommit.memory");
        rejects(() -> new Capacity(1, -1, 1), "memoryBytes");
    }

    @Test
    void overcommitThenHeadroomGiveTheAllocatable() {
        // 8 cores × 4:1 × (1 - 0.3) = 22.4 cores; memory 16 GiB × 1 × 0.7
        assertThat(NODE.allocatable().cpuMillis()).isEqualTo(22400);
        assertThat(NODE.allocatable().memoryBytes()).isEqualTo((long) ((16L << 30) * 0.7));
    }

    @Test
    void healthSettingsAreValidated() {
        assertThat(NodeHealthSettings.defaults().memoryThreshold()).isEqualTo(0.8);
        rejects(() -> new NodeHealthSettings(0, 0.9, 0.8, 0.8, Duration.ofDays(1)), "nodeHealth.failuresBeforeOffline");
        rejects(() -> new NodeHealthSettings(3, 1.5, 0.8, 0.8, Duration.ofDays(1)), "nodeHealth.cpuThreshold");
        rejects(() -> new NodeHealthSettings(3, 0.9, 0, 0.8, Duration.ofDays(1)), "nodeHealth.memoryThreshold");
        rejects(() -> new NodeHealthSettings(3, 0.9, 0.8, 0.8, Duration.ZERO), "nodeHealth.usageRetention");
    }

    @Test
    void planPlacementAndTenantLabelsAreValidated() {
        var limits = new ResourceLimits(250, 1000, 256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB, ResourceLimits.GIB);
        Plan p = Plan.of("p", "P", limits, BackupPolicy.NONE);
        assertThat(p.placementStrategy()).isNull();
        assertThat(p.antiAffinity()).isFalse();
        assertThat(p.withPlacement("bin-pack", true)).extracting(Plan::placementStrategy, Plan::antiAffinity)
                .containsExactly("bin-pack", true);
        rejects(() -> p.withPlacement("Bin Pack", false), "placementStrategy");

        assertThat(new ProvisionCommand("t", "ghost", "p", "k", null).requiredLabels()).isEmpty();
        assertThat(new ProvisionCommand("t", "ghost", "p", "k", null, Map.of("region", "eu")).requiredLabels())
                .containsEntry("region", "eu");
        rejects(() -> new ProvisionCommand("t", "ghost", "p", "k", null, Map.of("region", " ")), "requiredLabels");
        rejects(() -> new ProvisionCommand("t", "ghost", "p", "k", null, Map.of("Region", "eu")), "requiredLabels");
    }
}
