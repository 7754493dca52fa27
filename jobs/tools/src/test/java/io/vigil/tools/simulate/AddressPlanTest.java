package io.vigil.tools.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The address plan holds for the largest fleet the simulator makes: every node its own addresses and /24. */
class AddressPlanTest {
    @Test
    void everyNodeOfTheLargestFleetHasItsOwnAddressesAndPodSubnet() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < SimulationSpec.MAX_NODES; i++) {
            String subnet = Addresses.podSubnet(i);
            assertThat(subnet).matches("10\\.(24[4-9]|25[01])\\.(\\d{1,3})\\.");
            assertThat(Integer.parseInt(subnet.split("\\.")[2])).isBetween(0, 255);
            assertThat(seen.add(subnet)).as(subnet).isTrue();
            assertThat(seen.add(Addresses.nodeIp(i))).isTrue();
            assertThat(seen.add(Addresses.nodeIp6(i))).isTrue();
            assertThat(seen.add(Addresses.nodeLinkLocal(i))).isTrue();
            assertThat(seen.add(Addresses.nodeName(i))).isTrue();
        }
        assertThat(Addresses.podSubnet(3)).isEqualTo("10.244.3."); // the first 256 as before: datasets unchanged
        assertThat(Addresses.podSubnet(256)).isEqualTo("10.245.0.");
    }

    @Test
    void nodesAreBounded() {
        Instant start = Instant.parse("2026-02-14T00:00:00Z");
        assertThat(new SimulationSpec(1, SimulationSpec.MAX_NODES, 0.1, start, 10, 60, List.of(), true).nodes())
                .isEqualTo(2_048);
        assertThatThrownBy(
                        () -> new SimulationSpec(1, SimulationSpec.MAX_NODES + 1, 0.1, start, 10, 60, List.of(), true))
                .hasMessageContaining("--nodes must be 2..2048");
    }
}
