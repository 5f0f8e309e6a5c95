package dev.berth.proxmox.lxc;

import dev.berth.proxmox.guest.GuestConfig;
import dev.berth.proxmox.guest.GuestTarget;
import dev.berth.proxmox.guest.SshGuestConfigurer;
import dev.berth.proxmox.sim.ProxmoxSimulator;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What provision puts into Proxmox and into the container (over real SSH), plan changes and upgrades. */
class ProxmoxBootstrapIT {

    private static SimCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(1);
    }

    @AfterAll
    static void stop() {
        assertThat(cluster.sim().schemaViolations()).isEmpty();
        cluster.close();
    }

    @Test
    void createsAnUnprivilegedContainerSizedByThePlanOnTheBridge() {
        String id = ProvisionRequests.newId();
        InstanceStatus status = cluster.provider().provision(ProvisionRequests.request(id, "pve1"));

        ProxmoxSimulator.CtView ct = cluster.container(id).orElseThrow();
        Map<String, String> c = ct.config();
        assertThat(c).containsEntry("unprivileged", "1").containsEntry("hostname", id).containsEntry("cores", "1")
                .containsEntry("cpulimit", "1").containsEntry("cpuunits", "250").containsEntry("memory", "128")
                .containsEntry("swap", "0").containsEntry("onboot", "1").containsEntry("features", "nesting=1")
                .containsEntry("tags", "berth;berth-i-" + id + ";berth-ip-" + ct.ip());
        assertThat(c.get("rootfs")).isEqualTo("local-lvm:vm-" + ct.vmid() + "-disk-0,size=1G");
        assertThat(c.get("net0")).matches("name=eth0,bridge=vmbr0,ip=10\\.20\\.0\\.\\d+/24,gw=10\\.20\\.0\\.1")
                .contains("ip=" + ct.ip() + "/");
        assertThat(c.get("description")).contains("berth.instance: " + id, "berth.memory-request-mib: 64",
                "berth.ssh-host-keys: ").doesNotContain("s3cret");
        assertThat(status.endpoint()).isEqualTo(ct.ip() + ":8080");
        assertThat(ct.vmid()).isBetween(1000, 1999);
        cluster.provider().terminate(id);
    }

    @Test
    void withoutAnAddressPoolTheContainerUsesDhcpAndItsAddressComesFromTheApi() {
        try (SimCluster dhcp = SimCluster.start(SimCluster.simulator(1, dev.berth.proxmox.sim.SimTimings.fast()), c -> { },
                SimCluster.defaultSettings().withNetwork("vmbr1", null), VmidAllocator.range(2000, 2099))) {
            String id = ProvisionRequests.newId();
            InstanceStatus status = dhcp.provider().provision(ProvisionRequests.request(id, "pve1"));

            ProxmoxSimulator.CtView ct = dhcp.container(id).orElseThrow();
            assertThat(ct.config().get("net0")).isEqualTo("name=eth0,bridge=vmbr1,ip=dhcp");
            assertThat(ct.config().get("tags")).isEqualTo("berth;berth-i-" + id);
            assertThat(status.endpoint()).isEqualTo(ct.ip() + ":8080");
            assertThat(dhcp.readFile(id, "/etc/berth/app.env").orElseThrow()).contains("BERTH_APP_VERSION=\"1.0.0\"");
            assertThat(dhcp.sim().requestLog()).anyMatch(r -> r.endsWith("/lxc/" + ct.vmid() + "/interfaces"));
            dhcp.provider().terminate(id);
            assertThat(dhcp.sim().schemaViolations()).isEmpty();
        }
    }

    @Test
    void bootstrapWritesTheEnvFileWithSecretsAndRestartsTheService() {
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        int vmid = cluster.container(id).orElseThrow().vmid();

        String env = cluster.readFile(id, "/etc/berth/app.env").orElseThrow();
        assertThat(env).contains("APP_SECRET=\"s3cret-" + id + "\"", "APP_HOST=\"" + id + ".example.test\"",
                "BERTH_APP_VERSION=\"1.0.0\"");
        assertThat(cluster.mode(id, "/etc/berth/app.env")).as("env file mode").isEqualTo(0600);
        assertThat(cluster.farm().restarts(vmid)).containsExactly("berth-app.service");

        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        assertThat(cluster.farm().restarts(vmid)).as("unchanged env: no second restart").hasSize(1);

        InstanceStatus upgraded = cluster.provider().upgrade(ProvisionRequests.request(id, "pve1", ProvisionRequests.SMALL, "1.1.0"));
        assertThat(upgraded.appVersion()).isEqualTo("1.1.0");
        assertThat(cluster.readFile(id, "/etc/berth/app.env").orElseThrow()).contains("BERTH_APP_VERSION=\"1.1.0\"");
        assertThat(cluster.farm().restarts(vmid)).hasSize(2);
        cluster.provider().terminate(id);
    }

    @Test
    void clonesATemplateContainerAndGivesItTheInstancesIdentity() {
        cluster.sim().addTemplateContainer(9000, "pve1", Map.of(
                "/etc/systemd/system/berth-app.service", "[Service]\nEnvironmentFile=/etc/berth/app.env\n",
                "/root/.ssh/authorized_keys", cluster.publicKeyLine() + "\n"));
        String id = ProvisionRequests.newId();
        ResourceLimits plan = new ResourceLimits(500, 2000, 128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB, 2 * ResourceLimits.GIB);
        var base = ProvisionRequests.request(id, "pve1", plan, "1.0.0");
        var cloned = new dev.berth.spi.ComponentSpec("app", null, "clone:9000", base.components().get(0).ports(),
                base.components().get(0).volumes(), base.components().get(0).env(), base.components().get(0).secretEnv(), null, true);
        var request = new dev.berth.spi.ProvisionRequest(id, base.tenantId(), base.slug(), base.hostname(), base.appId(),
                base.appVersion(), List.of(cloned), plan, base.node(), Map.of());

        InstanceStatus status = cluster.provider().provision(request);

        ProxmoxSimulator.CtView ct = cluster.container(id).orElseThrow();
        assertThat(ct.vmid()).isNotEqualTo(9000);
        assertThat(ct.config()).doesNotContainKey("template").containsEntry("hostname", id).containsEntry("cores", "2")
                .containsEntry("memory", "256");
        assertThat(ct.config().get("rootfs")).as("grown from the template's 1G").endsWith(",size=2G");
        assertThat(ct.config().get("net0")).contains("ip=" + ct.ip() + "/24");
        assertThat(status.appliedLimits()).isEqualTo(plan);
        assertThat(cluster.readFile(id, "/etc/berth/app.env").orElseThrow()).contains("APP_SECRET=\"s3cret-" + id + "\"");
        assertThat(cluster.farm().restarts(ct.vmid())).containsExactly("berth-app.service");
        assertThat(cluster.sim().container(9000).orElseThrow().config()).as("template untouched")
                .containsEntry("template", "1").doesNotContainKey("lock");
        cluster.provider().terminate(id);
    }

    @Test
    void aContainerPresentingAnotherHostKeyIsRefused() throws Exception {
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        ProxmoxSimulator.CtView ct = cluster.container(id).orElseThrow();
        var key = KeyPairGenerator.getInstance("EC").generateKeyPair();
        // the container's authorized key is Berth's, not this one; but the host key check comes first
        try (SshGuestConfigurer guest = new SshGuestConfigurer(key, "root", "/etc/berth", "berth-", cluster.farm(),
                Duration.ofSeconds(1))) {
            GuestTarget wrongHostKey = new GuestTarget(id, ct.vmid(), ct.node(), ct.ip(), List.of("A".repeat(43)));
            assertThatThrownBy(() -> guest.configure(wrongHostKey, new GuestConfig("1", List.of(), false)))
                    .isInstanceOf(UnavailableException.class);
        }
        cluster.provider().terminate(id);
    }

    @Test
    void rootDiskGrowsButNeverShrinks() {
        String id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
        ResourceLimits bigger = new ResourceLimits(250, 1500, 64 * ResourceLimits.MIB, 256 * ResourceLimits.MIB, 3 * ResourceLimits.GIB);

        InstanceStatus grown = cluster.provider().changePlan(id, bigger);

        assertThat(grown.appliedLimits()).isEqualTo(bigger);
        ProxmoxSimulator.CtView ct = cluster.container(id).orElseThrow();
        assertThat(ct.config().get("rootfs")).endsWith(",size=3G");
        assertThat(ct.config()).containsEntry("cores", "2").containsEntry("cpulimit", "1.5");

        assertThatThrownBy(() -> cluster.provider().changePlan(id, ProvisionRequests.SMALL))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("limits.diskBytes"))
                .hasMessageContaining("cannot shrink").hasMessageContaining("3 GiB").hasMessageContaining("nothing was changed");
        assertThat(cluster.container(id).orElseThrow().config()).as("config untouched by the refused change")
                .isEqualTo(ct.config());
        cluster.provider().terminate(id);
    }

    @Test
    void limitsProxmoxCannotStoreExactlyAreRefusedBeforeAnyRequest() {
        String id = ProvisionRequests.newId();
        int before = cluster.sim().requestLog().size();
        ResourceLimits oddMemory = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 100_000_000L, ResourceLimits.GIB);

        assertThatThrownBy(() -> cluster.provider().provision(ProvisionRequests.request(id, "pve1", oddMemory, "1.0.0")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("resources.memoryLimitBytes"));
        assertThat(cluster.sim().requestLog()).hasSize(before);
    }
}
