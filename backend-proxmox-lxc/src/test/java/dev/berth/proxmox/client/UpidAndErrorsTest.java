package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** UPID parsing and the mapping of Proxmox error answers. */
class UpidAndErrorsTest {

    @Test
    void parsesATokenUpid() {
        Upid u = Upid.parse("UPID:proxmox2:000D7AA2:08D5A17C:63DF62A5:vzclone:200:root@pam!api_token:");
        assertThat(u.node()).isEqualTo("proxmox2");
        assertThat(u.type()).isEqualTo("vzclone");
        assertThat(u.id()).isEqualTo("200");
        assertThat(u.user()).isEqualTo("root@pam!api_token");
        assertThatThrownBy(() -> Upid.parse("UPID:pve:1:2:3:x:y:z")).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void mapsStatusAndMessageToTypedErrors() throws Exception {
        var body = new ObjectMapper().readTree("{\"data\":null,\"errors\":{\"vmid\":\"value must have a minimum value of 100\"},"
                + "\"message\":\"Parameter verification failed.\\n\"}");
        assertThat(ProxmoxErrors.fromResponse(400, "Parameter verification failed.", body, "GET x"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("vmid"));
        assertThat(ProxmoxErrors.fromResponse(500, "Configuration file 'nodes/pve1/lxc/100.conf' does not exist", null, "GET x"))
                .isInstanceOf(NotFoundException.class);
        assertThat(ProxmoxErrors.fromResponse(500, "unable to create CT 100 - CT 100 already exists on node 'pve2'", null, "POST x"))
                .isInstanceOf(AlreadyExistsException.class);
        assertThat(ProxmoxErrors.fromResponse(500, "CT is locked (backup)", null, "PUT x")).isInstanceOf(ConflictException.class);
        assertThat(ProxmoxErrors.fromResponse(595, "Errors during connection establishment, proxy handshake: No route to host", null, "GET x"))
                .isInstanceOf(UnavailableException.class).isNotInstanceOf(NotFoundException.class);
        assertThat(ProxmoxErrors.transientDispatch(500, "got no worker upid - start worker failed")).isTrue();
        assertThat(ProxmoxErrors.transientDispatch(500, "can't lock file '/run/lock/lxc/pve-config-105.lock' - got timeout")).isTrue();
        assertThat(ProxmoxErrors.transientDispatch(500, "CT 100 already running")).isFalse();
        assertThat(ProxmoxErrors.transientDispatch(595, "No route to host")).as("an offline node is not retried in a loop").isFalse();
    }

    @Test
    void credentialsAndPinsValidateWithoutLeakingSecrets() {
        assertThatThrownBy(() -> new ProxmoxCredentials.ApiToken("root@pam", dev.berth.spi.SecretValue.of("s")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("tokenId"));
        assertThat(new ProxmoxCredentials.ApiToken("root@pam!berth", dev.berth.spi.SecretValue.of("top-secret")).toString())
                .doesNotContain("top-secret");
        assertThat(new TlsTrust.Fingerprint("AB:".repeat(31) + "CD").sha256()).hasSize(64).endsWith("cd");
        assertThatThrownBy(() -> new TlsTrust.Fingerprint("12:34")).isInstanceOf(InvalidSpecException.class);
    }
}
