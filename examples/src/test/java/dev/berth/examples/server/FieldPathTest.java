package dev.berth.examples.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FieldPathTest {

    @Test
    void joins_without_repeating_a_prefix_the_core_record_already_names() {
        assertThat(FieldPath.join("", "id")).isEqualTo("id");
        assertThat(FieldPath.join("resources", "cpuRequestMillis")).isEqualTo("resources.cpuRequestMillis");
        assertThat(FieldPath.join("plans[0].resources", "cpuRequestMillis")).isEqualTo("plans[0].resources.cpuRequestMillis");
        assertThat(FieldPath.join("smtp", "smtp.from")).isEqualTo("smtp.from");
        assertThat(FieldPath.join("overcommit", "overcommit.cpu")).isEqualTo("overcommit.cpu");
        assertThat(FieldPath.join("nodes[1].overcommit", "overcommit.cpu")).isEqualTo("nodes[1].overcommit.cpu");
        assertThat(FieldPath.join("plans[0]", "id")).isEqualTo("plans[0].id");
    }
}
