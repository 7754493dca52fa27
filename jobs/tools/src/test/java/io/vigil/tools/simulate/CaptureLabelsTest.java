package io.vigil.tools.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.NetworkScope;
import io.vigil.records.Category;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureLabelsTest {
    static final long T0 = 1_700_000_000_000L;
    static final String POD = "10.1.2.3";
    static final Map<String, String> JOBS = Map.of(POD, "job-a");
    static final NetworkScope SCOPE = NetworkScope.defaults();

    static ConnLog.Row tcp(long at, String src, String dst, int port, String state, long out, long in) {
        return new ConnLog.Row(at, at + 2, "C" + at, src, 40_000, dst, port, "tcp", null, out, in, state, null);
    }

    static List<ConnLog.Row> portsOf(String dst, int ports, String state, long from) {
        List<ConnLog.Row> rows = new ArrayList<>();
        for (int p = 0; p < ports; p++) {
            rows.add(tcp(from + p * 1_000L, POD, dst, 1 + p, state, 0, 0));
        }
        return rows;
    }

    static List<ConnLog.Row> hostsOn(int port, int hosts, String state, String proto, long from) {
        List<ConnLog.Row> rows = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            rows.add(new ConnLog.Row(
                    from + h * 2_000L,
                    from + h * 2_000L,
                    "H" + h,
                    POD,
                    50_000,
                    "10.9.0." + (h + 1),
                    port,
                    proto,
                    null,
                    0,
                    0,
                    "S0",
                    null));
        }
        return rows;
    }

    @Test
    void aVerticalScanOfAnOutsideHostIsLabelledFromFirstToLastAttempt() {
        List<ConnLog.Row> rows = portsOf("45.33.32.156", 20, "REJ", T0);

        List<CaptureLabels.Finding> found = CaptureLabels.label(rows, JOBS, SCOPE);

        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.category()).isEqualTo(Category.NETWORK_SCAN);
            assertThat(f.jobId()).isEqualTo("job-a");
            assertThat(f.startTs()).isEqualTo(T0);
            assertThat(f.endTs()).isEqualTo(T0 + 19_000 + 2);
            assertThat(f.evidence()).contains("20 ports of 45.33.32.156");
        });
    }

    @Test
    void fewerPortsThanZeeksThresholdAreNoScan() {
        assertThat(CaptureLabels.label(
                        portsOf("45.33.32.156", CaptureLabels.PORT_SCAN_THRESHOLD - 1, "S0", T0), JOBS, SCOPE))
                .isEmpty();
        assertThat(CaptureLabels.label(
                        portsOf("45.33.32.156", CaptureLabels.PORT_SCAN_THRESHOLD, "S0", T0), JOBS, SCOPE))
                .hasSize(1);
    }

    @Test
    void aSweepOfOnePortIsAScanAtZeeksAddressThreshold() {
        assertThat(CaptureLabels.label(hostsOn(22, CaptureLabels.ADDR_SCAN_THRESHOLD, "S0", "tcp", T0), JOBS, SCOPE))
                .singleElement()
                .satisfies(f -> assertThat(f.evidence()).contains("25 hosts on port 22"));
        assertThat(CaptureLabels.label(
                        hostsOn(22, CaptureLabels.ADDR_SCAN_THRESHOLD - 1, "S0", "tcp", T0), JOBS, SCOPE))
                .isEmpty();
    }

    @Test
    void aProbeOfAFewPortsOverManyHostsIsAScanByItsTargets() {
        List<ConnLog.Row> grid = new ArrayList<>();
        for (int h = 0; h < 10; h++) {
            for (int p : new int[] {22, 80, 443}) {
                grid.add(tcp(T0 + grid.size() * 100L, POD, "10.9.0." + (h + 1), p, "S0", 0, 0));
            }
        }
        assertThat(CaptureLabels.label(grid, JOBS, SCOPE))
                .singleElement()
                .satisfies(f -> assertThat(f.evidence()).contains("30 host:port targets"));
        assertThat(CaptureLabels.label(grid.subList(0, CaptureLabels.ADDR_SCAN_THRESHOLD - 1), JOBS, SCOPE))
                .isEmpty();
    }

    @Test
    void unansweredUdpIsNeverAFailedAttempt() {
        assertThat(CaptureLabels.label(hostsOn(1900, 40, "S0", "udp", T0), JOBS, SCOPE))
                .isEmpty();
    }

    @Test
    void aResetHandshakeCountsOnlyWithoutPayload() {
        assertThat(CaptureLabels.failedAttempt(tcp(T0, POD, "10.9.0.1", 80, "RSTO", 0, 0)))
                .isTrue();
        assertThat(CaptureLabels.failedAttempt(tcp(T0, POD, "10.9.0.1", 80, "RSTO", 300, 1_200)))
                .isFalse();
        assertThat(CaptureLabels.failedAttempt(tcp(T0, POD, "10.9.0.1", 80, "SF", 0, 0)))
                .isFalse();
        assertThat(CaptureLabels.failedAttempt(tcp(T0, POD, "10.9.0.1", 80, "OTH", 0, 0)))
                .isFalse();
    }

    @Test
    void aBusyClientOfAFewServicesIsNoScan() {
        List<ConnLog.Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(tcp(T0 + i * 500L, POD, "93.184.216." + (i % 3), 443, "SF", 800, 40_000));
        }
        assertThat(CaptureLabels.label(rows, JOBS, SCOPE)).isEmpty();
    }

    @Test
    void probesSlowerThanTheIntervalAreSeparateEpisodesAndNoScan() {
        List<ConnLog.Row> rows = new ArrayList<>();
        for (int p = 0; p < 30; p++) {
            rows.add(tcp(T0 + p * 6 * 60_000L, POD, "10.9.0.1", 1 + p, "REJ", 0, 0));
        }
        assertThat(CaptureLabels.label(rows, JOBS, SCOPE)).isEmpty();
    }

    @Test
    void twoBurstsApartAreTwoIncidents() {
        List<ConnLog.Row> rows = new ArrayList<>(portsOf("10.9.0.1", 16, "REJ", T0));
        rows.addAll(portsOf("10.9.0.2", 16, "S0", T0 + 20 * 60_000L));

        assertThat(CaptureLabels.label(rows, JOBS, SCOPE))
                .extracting(CaptureLabels.Finding::incident)
                .containsExactly("scan-10.1.2.3-1", "scan-10.1.2.3-2");
    }

    @Test
    void onlyWhatTheJobsHostsOriginatedIsLabelled() {
        List<ConnLog.Row> inbound = new ArrayList<>();
        for (int p = 0; p < 30; p++) {
            inbound.add(tcp(T0 + p, "10.7.7.7", POD, 1 + p, "REJ", 0, 0));
        }
        assertThat(CaptureLabels.label(inbound, JOBS, SCOPE)).isEmpty();
    }

    @Test
    void aLongSshSessionToAnOutsideHostIsATunnel() {
        long fifteen = 15 * 60_000L;
        ConnLog.Row tunnel = new ConnLog.Row(
                T0,
                T0 + fifteen,
                "Ct",
                POD,
                51_000,
                "198.51.100.7",
                443,
                "tcp",
                "ssh",
                40_000,
                90_000,
                "SF",
                "ShADadFf");
        ConnLog.Row inside = new ConnLog.Row(
                T0, T0 + fifteen, "Ci", POD, 51_001, "10.20.0.5", 22, "tcp", "ssh", 40_000, 90_000, "SF", "ShADadFf");
        ConnLog.Row brief = new ConnLog.Row(
                T0, T0 + 60_000, "Cb", POD, 51_002, "198.51.100.7", 22, "tcp", "ssh", 4_000, 9_000, "SF", "ShADadFf");
        ConnLog.Row https = new ConnLog.Row(
                T0,
                T0 + fifteen,
                "Ch",
                POD,
                51_003,
                "198.51.100.8",
                443,
                "tcp",
                "ssl",
                40_000,
                90_000,
                "SF",
                "ShADadFf");

        List<CaptureLabels.Finding> found = CaptureLabels.label(List.of(tunnel, inside, brief, https), JOBS, SCOPE);

        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.category()).isEqualTo(Category.REVERSE_TUNNEL);
            assertThat(f.startTs()).isEqualTo(T0);
            assertThat(f.endTs()).isEqualTo(T0 + fifteen);
        });
    }
}
