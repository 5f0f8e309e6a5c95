package dev.berth.k3s.exec;

import dev.berth.k3s.kube.InstanceNamespaces;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.K3sSettings;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.error.InvalidSpecException;
import io.kubernetes.client.openapi.ApiClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What K3sExec decides before it reaches the cluster, and its stdin wrapper run by a real sh. */
class K3sExecTest {

    @Test
    void aUserIsRefusedByName() {
        // no server behind the client: the refusal comes before any call
        KubeApi kube = new KubeApi(new ApiClient().setBasePath("http://127.0.0.1:9"), "berth-test");
        InstanceObjects objects = new InstanceObjects(K3sSettings.defaults("/nonexistent/kubeconfig"));
        K3sExec exec = new K3sExec(kube, new InstanceNamespaces(kube, objects));

        assertThatThrownBy(() -> exec.exec("inst-1", ExecCommand.of("app", "true").asUser("www-data")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("user"));
    }

    @Test
    void theWrapperKeepsTheArgvAfterTheSize() {
        assertThat(K3sExec.withInput(42, List.of("echo", "a b", "$HOME")))
                .containsExactly("sh", "-c", K3sExec.WRAPPER_SCRIPT, K3sExec.WRAPPER_NAME, "42", "echo", "a b", "$HOME");
    }

    /** As over v4 exec, stdin never ends here: the wrapper alone gives the command its end of input. */
    @Test
    void theWrapperHandsExactlyTheInputThenEndOfFileAndKeepsArgumentsIntact() throws Exception {
        byte[] input = "owner@example.test\nnot-a-real-password: s3cr3t ✓\n".getBytes(StandardCharsets.UTF_8);
        List<String> argv = new ArrayList<>(K3sExec.withInput(input.length,
                List.of("sh", "-c", "cat; printf '%s|' \"$@\"", "inner", "two  spaces", "'quoted'", "$HOME")));
        Process p = new ProcessBuilder(argv).start();
        OutputStream stdin = p.getOutputStream();
        stdin.write(input);
        stdin.flush();   // and left open, as the exec stream leaves it

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);

        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exited without the end of stdin").isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(new String(input, StandardCharsets.UTF_8) + "two  spaces|'quoted'|$HOME|");
        stdin.close();
    }

    @Test
    void theWrapperReportsTheCommandsExitCode() throws Exception {
        Process p = new ProcessBuilder(K3sExec.withInput(0, List.of("sh", "-c", "exit 3"))).start();

        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(3);
        p.getOutputStream().close();
    }
}
