package dev.berth.proxmox.sim;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's schema validator gives Proxmox's verdicts and texts. */
class ApiSchemaTest {

    private final ApiSchema schema = ApiSchema.load();

    private Map<String, String> validate(String method, String path, Map<String, String> params) {
        List<String> segments = List.of(path.substring(1).split("/"));
        ApiSchema.Route route = schema.route(method, segments).orElseThrow();
        Map<String, String> all = new java.util.LinkedHashMap<>(params);
        all.putAll(route.uriParams());
        return schema.validate(route, all);
    }

    @Test
    void aWellFormedCreatePasses() {
        assertThat(validate("POST", "/nodes/pve1/lxc", Map.of("vmid", "1000", "ostemplate", "local:vztmpl/x.tar.zst",
                "net0", "name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1", "rootfs", "local-lvm:8", "cores", "2",
                "cpulimit", "1.5", "unprivileged", "1", "tags", "berth;berth-i-abc", "hostname", "cli123"))).isEmpty();
    }

    @Test
    void missingUnknownAndMistypedParametersAreNamed() {
        Map<String, String> errors = validate("POST", "/nodes/pve1/lxc", Map.of("vmid", "99", "cores", "two",
                "unprivileged", "true", "bogus", "1", "memory", "8"));
        assertThat(errors)
                .containsEntry("ostemplate", "property is missing and it is not optional")
                .containsEntry("vmid", "value must have a minimum value of 100")
                .containsEntry("cores", "type check ('integer') failed - got 'two'")
                .containsEntry("unprivileged", "type check ('boolean') failed - got 'true'")
                .containsEntry("bogus", "property is not defined in schema and the schema does not allow additional properties")
                .containsEntry("memory", "value must have a minimum value of 16");
    }

    @Test
    void indexedNamesAndPropertyStringsAreChecked() {
        assertThat(validate("PUT", "/nodes/pve1/lxc/100/config", Map.of("net3", "name=eth3,bridge=vmbr1"))).isEmpty();
        assertThat(validate("PUT", "/nodes/pve1/lxc/100/config", Map.of("net0", "bridge=vmbr0")))
                .containsEntry("net0", "invalid format - name: property is missing and it is not optional");
        assertThat(validate("PUT", "/nodes/pve1/lxc/100/config", Map.of("net0", "name=eth0,ip=300.1.1.1/24")))
                .hasEntrySatisfying("net0", m -> assertThat(m).startsWith("invalid format - ip:"));
        assertThat(validate("PUT", "/nodes/pve1/lxc/100/config", Map.of("net0", "name=eth0,colour=blue")))
                .hasEntrySatisfying("net0", m -> assertThat(m).contains("colour"));
    }

    @Test
    void enumsPatternsAndFormatsAreChecked() {
        assertThat(validate("POST", "/nodes/pve1/vzdump", Map.of("vmid", "100", "mode", "live")))
                .containsEntry("mode", "value 'live' does not have a value in the enumeration 'snapshot, suspend, stop'");
        assertThat(validate("PUT", "/nodes/pve1/lxc/100/resize", Map.of("disk", "rootfs", "size", "-2G")))
                .containsEntry("size", "value does not match the regex pattern");
        assertThat(validate("POST", "/nodes/pve1/lxc/100/migrate", Map.of("target", "bad_node!")))
                .containsKey("target");
        assertThat(validate("POST", "/nodes/pve1/vzdump", Map.of("vmid", "100", "notes-template", "x")))
                .containsEntry("storage", "missing property required by 'notes-template'");
    }

    @Test
    void unknownPathsAndMethodsDoNotRoute() {
        assertThat(schema.route("GET", List.of("nodes", "pve1", "qemu"))).isEmpty();
        assertThat(schema.route("POST", List.of("nodes", "pve1", "lxc", "100", "config"))).isEmpty();
    }
}
