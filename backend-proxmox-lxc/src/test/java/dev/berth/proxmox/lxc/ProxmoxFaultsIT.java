package dev.berth.proxmox.lxc;

import dev.berth.proxmox.client.ProxmoxCredentials;
import dev.berth.proxmox.client.TaskFailedException;
import dev.berth.proxmox.sim.ProxmoxSimulator;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.proxmox.sim.SimTimings;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each failure mode of a real cluster the simulator reproduces, and what the provider does about it: retry,
 * wait, a clear error, or the node reported unavailable; and in every case no container leaked or duplicated.
 */
class ProxmoxFaultsIT {

    private SimCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            assertThat(cluster.sim().schemaViolations()).as("requests the API schema rejects").isEmpty();
            cluster.close();
        }
    }

    /** A backup job of someone else holds lock "backup": the plan change waits for it, then applies. */
    @Test
    void lockedContainerIsWaitedFor() {
        cluster = SimCluster.start(1);
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        int vmid = cluster.container(id).orElseThrow().vmid();
        cluster.sim().startForeignBackup(vmid, Duration.ofMillis(1500));
        assertThat(cluster.container(id).orElseThrow().lock()).isEqualTo("backup");

        var larger = new dev.berth.spi.ResourceLimits(500, 2000, 128L << 20, 256L << 20, 1L << 30);
        int mark = cluster.sim().requestLog().size();
        InstanceStatus changed = cluster.provider().changePlan(id, larger);

        assertThat(changed.appliedLimits()).isEqualTo(larger);
        assertThat(cluster.container(id).orElseThrow().lock()).isNull();
        List<String> during = cluster.sim().requestLog().subList(mark, cluster.sim().requestLog().size());
        assertThat(during).as("status polled while locked").filteredOn(r -> r.endsWith("/status/current")).hasSizeGreaterThan(2);
        assertThat(during).as("one config write, after the lock cleared (none refused as locked)")
                .filteredOn(r -> r.startsWith("PUT ") && r.endsWith("/lxc/" + vmid + "/config")).hasSize(1);
        cleanUp(id);
    }

    /**
     * Someone else migrates the container (lock "migrate"): suspend waits for the lock, finds the container on its
     * new node and stops it there.
     */
    @Test
    void containerMigratedBySomeoneElseIsWaitedForAndFoundAgain() {
        cluster = SimCluster.start(SimCluster.simulator(2, new SimTimings(Map.of("vzmigrate", Duration.ofMillis(1500)),
                Duration.ofMillis(60))), c -> { }, SimCluster.defaultSettings(), VmidAllocator.range(1000, 1999));
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        int vmid = cluster.container(id).orElseThrow().vmid();
        cluster.client().startTask("POST", "nodes/pve1/lxc/" + vmid + "/migrate", Map.of("target", "pve2", "restart", true));
        assertThat(cluster.container(id).orElseThrow().lock()).isEqualTo("migrate");

        cluster.provider().suspend(id);

        InstanceStatus status = cluster.provider().status(id);
        assertThat(status.nodeTarget()).isEqualTo("pve2");
        assertThat(status.state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(berthContainers()).hasSize(1);
        cleanUp(id);
    }

    /** A lock that outlasts the wait is a retryable ConflictException, and nothing was changed. */
    @Test
    void lockThatDoesNotClearIsARetryableConflict() {
        cluster = SimCluster.start(SimCluster.simulator(1, SimTimings.fast()), c -> { },
                SimCluster.defaultSettings().withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60),
                        Duration.ofMillis(400), Duration.ofSeconds(5)), VmidAllocator.range(1000, 1999));
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        int vmid = cluster.container(id).orElseThrow().vmid();
        String memoryBefore = cluster.container(id).orElseThrow().config().get("memory");
        cluster.sim().startForeignBackup(vmid, Duration.ofSeconds(3));

        var larger = new dev.berth.spi.ResourceLimits(500, 2000, 128L << 20, 256L << 20, 1L << 30);
        assertThatThrownBy(() -> cluster.provider().changePlan(id, larger))
                .isInstanceOf(ConflictException.class).hasMessageContaining("locked (backup)")
                .satisfies(e -> assertThat(((BerthException) e).retryable()).isTrue());
        assertThat(cluster.container(id).orElseThrow().config().get("memory")).isEqualTo(memoryBefore);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.container(id).orElseThrow().lock() == null);
        cleanUp(id);
    }

    /** A clean shutdown that fails (the app ignores SIGTERM) is followed by a stop: suspend still ends STOPPED. */
    @Test
    void suspendStopsWhenShutdownFails() {
        cluster = SimCluster.start(1);
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        cluster.sim().faults().failNextTask("vzshutdown", "container did not stop within 5 seconds");

        cluster.provider().suspend(id);

        assertThat(cluster.provider().status(id).state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(cluster.sim().requestLog()).filteredOn(r -> r.endsWith("/status/stop")).hasSize(1);
        cleanUp(id);
    }

    /** Two other creators take the VM ids Berth picked just before it: create retries with fresh ids. */
    @Test
    void nextidRaceIsRetriedWithAFreshId() {
        cluster = SimCluster.start(1);
        cluster.sim().faults().nextidRace(2);
        String id = ProvisionRequests.newId();

        InstanceStatus status = cluster.provider().provision(ProvisionRequests.request(id, "pve1"));

        assertThat(status.state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(berthContainers()).as("exactly one container for the instance").hasSize(1);
        List<ProxmoxSimulator.CtView> foreign = cluster.sim().containers().stream()
                .filter(c -> !c.config().getOrDefault("tags", "").contains("berth")).toList();
        assertThat(foreign).as("the racing creators' containers, untouched").hasSize(2)
                .extracting(ProxmoxSimulator.CtView::vmid).containsExactly(1000, 1001);
        assertThat(cluster.container(id).orElseThrow().vmid()).isEqualTo(1002);
        cleanUp(id);
        assertThat(cluster.sim().containers()).hasSize(2);
    }

    /** vzcreate is accepted (200 + UPID) and then fails: a clear, non-retried error, and Proxmox's cleanup leaves nothing. */
    @Test
    void createTaskFailingAfterUpidLeavesNothing() {
        cluster = SimCluster.start(1);
        cluster.sim().faults().failNextTask("vzcreate", "storage 'local-lvm' does not have enough free space");
        String id = ProvisionRequests.newId();

        assertThatThrownBy(() -> cluster.provider().provision(ProvisionRequests.request(id, "pve1")))
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("unable to create CT").hasMessageContaining("enough free space")
                .satisfies(e -> assertThat(((BerthException) e).retryable()).isFalse());
        assertThat(cluster.sim().containers()).as("no container left behind").isEmpty();
        assertThat(cluster.sim().requestLog()).as("a failed task is never dispatched again")
                .filteredOn(r -> r.equals("POST /api2/json/nodes/pve1/lxc")).hasSize(1);

        // the engine's retry of the operation then converges on exactly one container
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        assertThat(berthContainers()).hasSize(1);
        cleanUp(id);
    }

    /** vzstart fails inside its task: provision reports it; the next provision converges on the same container. */
    @Test
    void startTaskFailingIsReportedAndConvergedLater() {
        cluster = SimCluster.start(1);
        cluster.sim().faults().failNextTask("vzstart", "startup for container '1000' failed");
        String id = ProvisionRequests.newId();

        assertThatThrownBy(() -> cluster.provider().provision(ProvisionRequests.request(id, "pve1")))
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("startup for container");
        assertThat(berthContainers()).hasSize(1);
        assertThat(cluster.provider().status(id).state()).isEqualTo(RuntimeState.STOPPED);

        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        assertThat(cluster.provider().status(id).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(berthContainers()).as("still one container").hasSize(1);
        cleanUp(id);
    }

    /** "got no worker upid" before anything started is retried; once attempts run out it is a retryable error. */
    @Test
    void transientDispatchFailureIsRetriedOnlyWhileSafe() {
        cluster = SimCluster.start(1);
        cluster.sim().faults().failDispatch("vzcreate", 2, "got no worker upid - start worker failed");
        String id = ProvisionRequests.newId();

        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        assertThat(berthContainers()).hasSize(1);
        assertThat(cluster.sim().requestLog()).filteredOn(r -> r.equals("POST /api2/json/nodes/pve1/lxc")).hasSize(3);

        String other = ProvisionRequests.newId();
        cluster.sim().faults().failDispatch("vzcreate", 3, "got no worker upid - start worker failed");
        assertThatThrownBy(() -> cluster.provider().provision(ProvisionRequests.request(other, "pve1")))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("got no worker upid");
        assertThat(cluster.container(other)).isEmpty();
        cleanUp(id);
    }

    /** A node goes offline: 595 is "unavailable" (never "not found"), it leaves nodes(), inventory keeps its containers. */
    @Test
    void offlineNodeIsUnavailableNotNotFound() {
        cluster = SimCluster.start(2);
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve2"));

        cluster.sim().setOnline("pve2", false);

        assertThatThrownBy(() -> cluster.provider().status(id)).isInstanceOf(UnavailableException.class)
                .isNotInstanceOf(NotFoundException.class).hasMessageContaining("595");
        assertThatThrownBy(() -> cluster.provider().suspend(id)).isInstanceOf(UnavailableException.class);
        assertThat(cluster.provider().nodes()).extracting(NodeCapacity::target).containsExactly("pve1");
        assertThat(cluster.provider().inventory()).filteredOn(s -> s.instanceId().equals(id))
                .singleElement().satisfies(s -> {
                    assertThat(s.nodeTarget()).isEqualTo("pve2");
                    assertThat(s.state()).isEqualTo(RuntimeState.DEGRADED);
                });
        String other = ProvisionRequests.newId();
        assertThatThrownBy(() -> cluster.provider().provision(ProvisionRequests.request(other, "pve2")))
                .isInstanceOf(UnavailableException.class);
        assertThat(cluster.container(other)).isEmpty();

        String elsewhere = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(elsewhere, "pve1"));
        assertThat(cluster.container(elsewhere).orElseThrow().ip()).as("the offline container's address is not reused")
                .isNotEqualTo(cluster.container(id).orElseThrow().ip());

        cluster.sim().setOnline("pve2", true);
        assertThat(cluster.provider().status(id).state()).isEqualTo(RuntimeState.RUNNING);
        cleanUp(id);
        cleanUp(elsewhere);
    }

    /**
     * A node has 3 pvedaemon workers. While other clients' slow calls hold all three, a provision's requests wait
     * past the proxy timeout and get 596, which is retried until a worker is free; then nine provisions at once
     * queue for the three workers (never more than three run) and all end with exactly one container each.
     */
    @Test
    void threeWorkersPerNodeQueueAndTimeOutSafely() throws Exception {
        cluster = SimCluster.start(SimCluster.simulator(1, SimTimings.fast()).proxyTimeout(Duration.ofMillis(250)),
                c -> c.dispatchRetries(8, Duration.ofMillis(100)), SimCluster.defaultSettings(), VmidAllocator.range(1000, 1999));
        cluster.sim().occupyWorkers("pve1", Duration.ofMillis(900));
        String first = ProvisionRequests.newId();
        assertThat(cluster.provider().provision(ProvisionRequests.request(first, "pve1")).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(cluster.sim().proxyTimeouts()).as("requests that waited past the proxy timeout (596)").isPositive();

        cluster.sim().faults().handlerLatency(Duration.ofMillis(60));
        List<String> ids = new ArrayList<>(List.of(first));
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            List<Future<InstanceStatus>> results = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                String id = ProvisionRequests.newId();
                ids.add(id);
                results.add(pool.submit(() -> cluster.provider().provision(ProvisionRequests.request(id, "pve1"))));
            }
            for (Future<InstanceStatus> f : results) {
                assertThat(f.get().state()).isEqualTo(RuntimeState.RUNNING);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cluster.sim().maxConcurrentWorkers("pve1")).as("requests a node handled at once").isBetween(2, 3);
        for (String id : ids) {
            assertThat(cluster.sim().containers()).filteredOn(c -> c.config().getOrDefault("tags", "").contains("berth-i-" + id + ";"))
                    .as("containers of %s", id).hasSize(1);
        }
        cluster.sim().faults().handlerLatency(Duration.ZERO);
        ids.forEach(this::cleanUp);
    }

    /** Ticket auth: a ticket that expires mid-run (401) is replaced by a fresh login and the call goes through. */
    @Test
    void expiredTicketIsRenewedMidRun() {
        cluster = SimCluster.start(SimCluster.simulator(1, SimTimings.fast()).user("berth@pve", "correct horse battery"),
                c -> c.credentials(new ProxmoxCredentials.Password("berth@pve", SecretValue.of("correct horse battery"))),
                SimCluster.defaultSettings(), VmidAllocator.range(1000, 1999));
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        assertThat(cluster.sim().passwordLogins()).isEqualTo(1);

        cluster.sim().expireTickets();
        cluster.provider().suspend(id);

        assertThat(cluster.provider().status(id).state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(cluster.sim().passwordLogins()).as("one new login after the 401").isEqualTo(2);
        cleanUp(id);
    }

    private List<ProxmoxSimulator.CtView> berthContainers() {
        return cluster.sim().containers().stream().filter(c -> c.config().getOrDefault("tags", "").contains("berth")).toList();
    }

    private void cleanUp(String id) {
        cluster.provider().terminate(id);
        assertThat(cluster.container(id)).as("container of %s after terminate", id).isEmpty();
    }
}
