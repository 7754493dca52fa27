package io.vigil.models.features;

import static io.vigil.models.features.FeatureSet.EXTERNAL_BYTES_IN;
import static io.vigil.models.features.FeatureSet.EXTERNAL_BYTES_OUT;
import static io.vigil.models.features.FeatureSet.EXTERNAL_HOSTS;
import static io.vigil.models.features.FeatureSet.EXTERNAL_INBOUND_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_ATTEMPT_RATIO;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS_ONE_PORT;
import static io.vigil.models.features.FeatureSet.FAILED_PORTS_ONE_HOST;
import static io.vigil.models.features.FeatureSet.FLOWS;
import static io.vigil.models.features.FeatureSet.GPU_COUNT;
import static io.vigil.models.features.FeatureSet.GPU_TELEMETRY;
import static io.vigil.models.features.FeatureSet.GPU_UTIL;
import static io.vigil.models.features.FeatureSet.HASHING_DIVERGENCE;
import static io.vigil.models.features.FeatureSet.HASHING_GPU_FRACTION;
import static io.vigil.models.features.FeatureSet.INTERNAL_HOSTS;
import static io.vigil.models.features.FeatureSet.METADATA_SERVICE_FLOWS;
import static io.vigil.models.features.FeatureSet.MINER_PROCESS;
import static io.vigil.models.features.FeatureSet.ODD_PROCESS_GPU_FRACTION;
import static io.vigil.models.features.FeatureSet.PROCESS_NAMES;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_BYTES_OUT;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_HOSTS;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_UPLOAD_RATIO;
import static io.vigil.models.features.FeatureSet.RARE_INTERACTIVITY;
import static io.vigil.models.features.FeatureSet.RARE_LONGEST_MINUTES;
import static io.vigil.models.features.FeatureSet.RARE_LONG_LIVED_HOSTS;
import static io.vigil.models.features.FeatureSet.RARE_SSH_FLOWS;
import static io.vigil.models.features.FeatureSet.SHARED_GPU_PROCESSES;
import static io.vigil.models.features.FeatureSet.SM_ACTIVE;
import static io.vigil.models.features.FeatureSet.SM_WITHOUT_TENSOR;
import static io.vigil.models.features.FeatureSet.TENSOR_ACTIVE;
import static io.vigil.models.features.FeatureSet.TENSOR_RATIO_SPREAD;
import static io.vigil.models.features.WindowScene.DROP_IP;
import static io.vigil.models.features.WindowScene.HALF_A_MINUTE_LATER;
import static io.vigil.models.features.WindowScene.TRACKER_IP;
import static io.vigil.models.features.WindowScene.TUNNEL_IP;
import static io.vigil.models.features.WindowScene.WINDOW_END;
import static io.vigil.models.features.WindowScene.WINDOW_START;
import static io.vigil.models.features.WindowScene.fp32Training;
import static io.vigil.models.features.WindowScene.gpu;
import static io.vigil.models.features.WindowScene.gpuOn;
import static io.vigil.models.features.WindowScene.internalScan;
import static io.vigil.models.features.WindowScene.metadataCall;
import static io.vigil.models.features.WindowScene.mining;
import static io.vigil.models.features.WindowScene.ncclPeers;
import static io.vigil.models.features.WindowScene.range;
import static io.vigil.models.features.WindowScene.sample;
import static io.vigil.models.features.WindowScene.scene;
import static io.vigil.models.features.WindowScene.trackerConnection;
import static io.vigil.models.features.WindowScene.training;
import static io.vigil.models.features.WindowScene.tunnel;
import static io.vigil.models.features.WindowScene.upload;
import static io.vigil.records.Fixtures.BEGINNING;
import static io.vigil.records.Fixtures.JOB;
import static io.vigil.records.Fixtures.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.records.Destination;
import io.vigil.records.Evidence;
import io.vigil.records.Fixtures;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.ProcessEvidence;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowAccumulatorTest {
    private static final double EPS = 1e-9;

    private static double log1p(double x) {
        return Math.log1p(x);
    }

    private static void assertFinite(double[] features) {
        assertThat(features).hasSize(FeatureSet.CURRENT.size());
        for (double v : features) {
            assertThat(Double.isFinite(v)).isTrue();
        }
    }

    // ------------------------------------------------------------------ network

    @Test
    void seesAnInternalScanAsManyMostlyUnansweredHosts() {
        Map<String, Double> f =
                scene().with(internalScan(50)).with(metadataCall()).featureMap();

        assertThat(f.get(INTERNAL_HOSTS)).isCloseTo(log1p(51), within(EPS)); // 50 swept + the metadata service
        assertThat(f.get(FAILED_HOSTS))
                .isCloseTo(log1p(49), within(EPS)); // host 1 serves data on one port of three: it is there
        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isCloseTo(log1p(50), within(EPS)); // 80 and 443 fail on all 50
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isCloseTo(149.0 / (151 + 1), within(EPS));
        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isCloseTo(log1p(3), within(EPS));
        assertThat(f.get(METADATA_SERVICE_FLOWS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(FLOWS)).isCloseTo(log1p(151), within(EPS));
        assertThat(f.get(EXTERNAL_HOSTS)).isZero();
    }

    @Test
    void seesNcclBetweenSixteenPeersAsManyAnsweredHosts() {
        Map<String, Double> f = scene().with(ncclPeers(15)).featureMap();

        assertThat(f.get(INTERNAL_HOSTS)).isCloseTo(log1p(15), within(EPS));
        assertThat(f.get(FAILED_HOSTS)).isZero();
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isZero();
        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isZero();
        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isZero();
        assertThat(f.get(RARE_EXTERNAL_HOSTS)).isZero();
    }

    @Test
    void seesAReverseTunnelAsALongLivedInteractiveConnectionToARareHost() {
        Map<String, Double> f = scene().with(tunnel(TUNNEL_IP, 22)).featureMap();

        assertThat(f.get(RARE_EXTERNAL_HOSTS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(RARE_LONG_LIVED_HOSTS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(RARE_LONGEST_MINUTES))
                .isCloseTo(log1p(11), within(EPS)); // began ten minutes before the window
        assertThat(f.get(RARE_INTERACTIVITY)).isGreaterThan(0.9);
        assertThat(f.get(RARE_SSH_FLOWS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(RARE_EXTERNAL_UPLOAD_RATIO)).isCloseTo(7_200.0 / 16_800, within(EPS));
    }

    @Test
    void seesTheSameTunnelOnPort443AsInteractiveButNotAsSsh() {
        Map<String, Double> f = scene().with(tunnel(TUNNEL_IP, 443)).featureMap();

        assertThat(f.get(RARE_INTERACTIVITY)).isGreaterThan(0.9);
        assertThat(f.get(RARE_SSH_FLOWS)).isZero();
    }

    @Test
    void seesAFleetWideTrackerAsExternalButNotRare() {
        Map<String, Double> f = scene().with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 40, 25)
                .featureMap();

        assertThat(f.get(EXTERNAL_HOSTS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(EXTERNAL_BYTES_OUT)).isCloseTo(log1p(240_000), within(EPS));
        assertThat(f.get(EXTERNAL_BYTES_IN)).isCloseTo(log1p(30_000), within(EPS));
        assertThat(f.get(RARE_EXTERNAL_HOSTS)).isZero();
        assertThat(f.get(RARE_LONG_LIVED_HOSTS)).isZero();
        assertThat(f.get(RARE_INTERACTIVITY)).isZero();
    }

    @Test
    void countsATrackerOnlyOtherJobsUsedEarlierAsPopularToo() {
        Map<String, Double> f = scene().with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 3, 0)
                .featureMap();

        assertThat(f.get(RARE_EXTERNAL_HOSTS)).isZero();
    }

    @Test
    void seesAnUploadToARareHostAsBytesOutWithAHighUploadRatio() {
        Map<String, Double> f = scene().with(upload(DROP_IP, 200L << 20)).featureMap();

        assertThat(f.get(RARE_EXTERNAL_BYTES_OUT)).isCloseTo(log1p(200L << 20), within(EPS));
        assertThat(f.get(RARE_EXTERNAL_UPLOAD_RATIO)).isGreaterThan(0.99);
        assertThat(f.get(RARE_INTERACTIVITY))
                .as("bulk packets are not interactive")
                .isLessThan(0.1);
    }

    @Test
    void countsExternalHostsThatOpenedConnectionsToTheJob() {
        JobFlow inbound = JobFlow.of(
                Fixtures.flowBuilder()
                        .setSrcIp(TUNNEL_IP)
                        .setDstIp(Fixtures.POD_IP)
                        .setDstPort(22)
                        .build(),
                JOB,
                false);

        Map<String, Double> f = scene().with(inbound).featureMap();

        assertThat(f.get(EXTERNAL_INBOUND_HOSTS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(INTERNAL_HOSTS)).isZero();
    }

    // ------------------------------------------------------------------ GPUs

    @Test
    void seesAMinerOnTwoOfEightGpusAsHashingThatDivergesFromTheRest() {
        Map<String, Double> f = scene().gpus(training(range(0, 6)))
                .gpus(mining(List.of(6, 7), "python"))
                .featureMap();

        assertThat(f.get(GPU_COUNT)).isCloseTo(log1p(8), within(EPS));
        assertThat(f.get(GPU_TELEMETRY)).isEqualTo(1.0);
        assertThat(f.get(HASHING_GPU_FRACTION)).isCloseTo(0.25, within(EPS));
        assertThat(f.get(HASHING_DIVERGENCE)).isCloseTo(1.0, within(EPS));
        assertThat(f.get(TENSOR_RATIO_SPREAD)).isCloseTo(1.0, within(EPS));
        assertThat(f.get(SM_ACTIVE)).isCloseTo((6 * 0.9 + 2 * 0.97) / 8, within(EPS));
        assertThat(f.get(TENSOR_ACTIVE)).isCloseTo(6 * 0.55 / 8, within(EPS));
        assertThat(f.get(MINER_PROCESS)).isZero();
        assertThat(f.get(ODD_PROCESS_GPU_FRACTION))
                .as("renamed to the job's own process name")
                .isZero();
    }

    @Test
    void seesAMinerNamedAsSuchAsAnOddProcessAndAMinerProcess() {
        Map<String, Double> f = scene().gpus(training(range(0, 6)))
                .gpus(mining(List.of(6, 7), "/tmp/.cache/XMRig"))
                .featureMap();

        assertThat(f.get(MINER_PROCESS)).isEqualTo(1.0);
        assertThat(f.get(PROCESS_NAMES)).isCloseTo(log1p(2), within(EPS));
        assertThat(f.get(ODD_PROCESS_GPU_FRACTION)).isCloseTo(0.25, within(EPS));
    }

    @Test
    void seesFp32TrainingOnAllGpusAsHashingLikeButNotDivergent() {
        Map<String, Double> f = scene().gpus(fp32Training(range(0, 8))).featureMap();

        assertThat(f.get(HASHING_GPU_FRACTION)).isEqualTo(1.0);
        assertThat(f.get(SM_WITHOUT_TENSOR)).isGreaterThan(0.95); // busy SMs, idle tensor pipes: FP32 and hashing alike
        assertThat(f.get(HASHING_DIVERGENCE)).isZero();
        assertThat(f.get(TENSOR_RATIO_SPREAD)).isZero();
        assertThat(f.get(ODD_PROCESS_GPU_FRACTION)).isZero();
    }

    @Test
    void seesASecondProcessTimeSlicingBusyGpusWhateverItsName() {
        // A miner named like the job's own process, beside an FP32 job on two of its GPUs: every GPU was in the
        // hashing pattern already and no name is new; only the second pid on those GPUs tells.
        List<GpuSample> samples = new ArrayList<>();
        for (GpuSample s : fp32Training(range(0, 8))) {
            if (s.getGpu() >= 6) {
                List<GpuProcess> both = new ArrayList<>(s.getProcesses());
                both.add(Fixtures.gpuProcess(90_000 + s.getGpu(), "python", 3_000));
                s = GpuSample.newBuilder(s).setProcesses(both).build();
            }
            samples.add(s);
        }
        Map<String, Double> beside = scene().gpus(samples).featureMap();
        Map<String, Double> alone = scene().gpus(fp32Training(range(0, 8))).featureMap();

        assertThat(alone.get(SHARED_GPU_PROCESSES)).isZero();
        assertThat(beside.get(SHARED_GPU_PROCESSES)).isCloseTo(log1p(2), within(EPS));
        for (String same : List.of(HASHING_GPU_FRACTION, HASHING_DIVERGENCE, PROCESS_NAMES, ODD_PROCESS_GPU_FRACTION)) {
            assertThat(beside.get(same)).as(same).isEqualTo(alone.get(same));
        }
    }

    @Test
    void countsASecondProcessOnlyWhereTheGpuIsBusyAndForTheShareOfSamplesItIsThere() {
        List<GpuSample> samples = new ArrayList<>();
        for (GpuSample s : training(range(0, 2))) {
            // GPU 0: a second process in half the samples; GPU 1: idle, with two processes holding memory
            boolean second = s.getGpu() == 0 ? s.getTs().isBefore(BEGINNING.plusSeconds(30)) : true;
            GpuSample.Builder b = GpuSample.newBuilder(s);
            if (s.getGpu() == 1) {
                b.setUtil(0.0).setSmActive(0.0).setTensorActive(0.0);
            }
            if (second) {
                List<GpuProcess> both = new ArrayList<>(s.getProcesses());
                both.add(Fixtures.gpuProcess(80_000 + s.getGpu(), "python", 500));
                b.setProcesses(both);
            }
            samples.add(b.build());
        }

        assertThat(scene().gpus(samples).featureMap().get(SHARED_GPU_PROCESSES)).isCloseTo(log1p(0.5), within(EPS));
    }

    @Test
    void seesAMinerRunningPartTimeOnOneGpuAsPartialDivergence() {
        List<GpuSample> samples = new ArrayList<>(training(range(0, 7)));
        for (int i = 0; i < 12; i++) {
            boolean mining = i >= 6;
            samples.add(
                    sample(NODE, 7, BEGINNING.plusSeconds(5L * i), mining ? 0.97 : 0.9, mining ? 0.0 : 0.55, "python"));
        }

        Map<String, Double> f = scene().gpus(samples).featureMap();

        assertThat(f.get(HASHING_DIVERGENCE)).isCloseTo(0.5, within(EPS));
        assertThat(f.get(HASHING_GPU_FRACTION)).isZero();
        assertThat(f.get(TENSOR_RATIO_SPREAD)).isBetween(0.4, 0.6);
    }

    @Test
    void leavesIdleGpusOutOfTheDivergenceSoANotebookOnOneGpuIsNotDivergent() {
        Map<String, Double> f = scene().gpus(fp32Training(List.of(0)))
                .gpus(gpu(range(1, 4), 0.0, 0.0, null))
                .featureMap();

        assertThat(f.get(HASHING_GPU_FRACTION)).isCloseTo(0.25, within(EPS));
        assertThat(f.get(HASHING_DIVERGENCE)).isZero();
        assertThat(f.get(TENSOR_RATIO_SPREAD)).isZero();
    }

    @Test
    void keepsGpusOfDifferentNodesApartThoughTheirIndicesRepeat() {
        Map<String, Double> f = scene().gpus(training(range(0, 4)))
                .gpus(gpuOn("gpu-node-08", range(0, 4), 0.9, 0.55, "python"))
                .featureMap();

        assertThat(f.get(GPU_COUNT)).isCloseTo(log1p(8), within(EPS));
    }

    @Test
    void treatsSamplesWithoutProfilingAsUnknownNotIdle() {
        List<GpuSample> utilOnly = new ArrayList<>();
        for (GpuSample s : training(range(0, 2))) {
            utilOnly.add(GpuSample.newBuilder(s)
                    .setSmActive(null)
                    .setTensorActive(null)
                    .setDramActive(null)
                    .build());
        }

        Map<String, Double> f = scene().gpus(utilOnly).featureMap();

        assertThat(f.get(GPU_TELEMETRY)).isZero();
        assertThat(f.get(GPU_UTIL)).isCloseTo(0.98, within(EPS));
        assertThat(f.get(HASHING_GPU_FRACTION)).isZero();
        assertThat(f.get(SM_ACTIVE)).isZero();
        assertFinite(scene().gpus(utilOnly).features());
    }

    @Test
    void clampsOutOfRangeTelemetryAndIgnoresNonFiniteValues() {
        GpuSample wild = Fixtures.gpuSampleBuilder()
                .setUtil(250)
                .setSmActive(1.7)
                .setTensorActive(Double.NaN)
                .build();

        WindowAccumulator w = new WindowAccumulator();
        w.add(wild);

        Map<String, Double> f = FeatureSet.CURRENT.toMap(w.features(FeatureSet.CURRENT));
        assertThat(f.get(GPU_UTIL)).isEqualTo(1.0);
        assertThat(f.get(GPU_TELEMETRY)).isZero();
        assertFinite(w.features(FeatureSet.CURRENT));
    }

    // ------------------------------------------------------------------ empty, merge, caps

    @Test
    void givesAllZerosForAnEmptyWindow() {
        assertThat(new WindowAccumulator().features(FeatureSet.CURRENT)).containsOnly(0.0);
    }

    @Test
    void givesFiniteFeaturesWithFlowsButNoGpuSamples() {
        double[] features =
                scene().with(internalScan(30)).with(tunnel(TUNNEL_IP, 22)).features();

        assertFinite(features);
        assertThat(FeatureSet.CURRENT.toMap(features).get(GPU_TELEMETRY)).isZero();
    }

    @Test
    void givesFiniteFeaturesWithGpuSamplesButNoFlows() {
        double[] features = scene().gpus(training(range(0, 8))).features();

        assertFinite(features);
        assertThat(FeatureSet.CURRENT.toMap(features).get(FLOWS)).isZero();
    }

    @Test
    void mergingPartialsGivesWhatAddingEverythingGives() {
        WindowScene busy = scene().with(internalScan(120))
                .with(ncclPeers(15))
                .with(tunnel(TUNNEL_IP, 22))
                .with(upload(DROP_IP, 90L << 20))
                .with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 30, 10)
                .gpus(training(range(0, 6)))
                .gpus(mining(List.of(6, 7), "xmrig"));
        List<Contact> contacts = busy.contacts();
        List<GpuSample> samples = new ArrayList<>(training(range(0, 6)));
        samples.addAll(mining(List.of(6, 7), "xmrig"));
        WindowAccumulator all = new WindowAccumulator();
        contacts.forEach(all::add);
        samples.forEach(all::add);

        for (int seed = 0; seed < 4; seed++) {
            List<Object> signals = new ArrayList<>(contacts);
            signals.addAll(samples);
            Collections.shuffle(signals, new Random(seed));
            WindowAccumulator[] parts = {new WindowAccumulator(), new WindowAccumulator(), new WindowAccumulator()};
            for (int i = 0; i < signals.size(); i++) {
                WindowAccumulator part = parts[(i * 7 + seed) % 3];
                if (signals.get(i) instanceof Contact c) {
                    part.add(c);
                } else {
                    part.add((GpuSample) signals.get(i));
                }
            }
            WindowAccumulator merged = new WindowAccumulator();
            merged.merge(parts[seed % 3]);
            merged.merge(parts[(seed + 1) % 3]);
            merged.merge(parts[(seed + 2) % 3]);

            assertThat(merged.features(FeatureSet.CURRENT))
                    .containsExactly(all.features(FeatureSet.CURRENT), within(1e-12));
            assertThat(merged.evidence(10)).isEqualTo(all.evidence(10));
            assertThat(merged.evidence(WindowAccumulator.MAX_EVIDENCE_DESTINATIONS))
                    .isEqualTo(all.evidence(WindowAccumulator.MAX_EVIDENCE_DESTINATIONS));
            assertThat(merged.flowCount()).isEqualTo(all.flowCount());
            assertThat(merged.sampleCount()).isEqualTo(all.sampleCount());
            assertThat(merged.contacts).hasSizeLessThanOrEqualTo(WindowAccumulator.MAX_CONTACTS);
        }
    }

    @Test
    void keepsFeaturesExactWhileCappingTheContactsItKeeps() {
        WindowAccumulator w =
                scene().with(internalScan(250)).with(ncclPeers(15)).window();

        assertThat(w.contacts).hasSizeLessThanOrEqualTo(WindowAccumulator.MAX_CONTACTS);
        Map<String, Double> f = FeatureSet.CURRENT.toMap(w.features(FeatureSet.CURRENT));
        assertThat(f.get(INTERNAL_HOSTS)).isCloseTo(log1p(265), within(EPS));
        assertThat(f.get(FAILED_HOSTS)).isCloseTo(log1p(249), within(0.05 * log1p(249))); // past 64: a sketch
        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isCloseTo(log1p(250), within(0.05 * log1p(250)));
        assertThat(w.flowCount()).isEqualTo(250 * 3 + 15);
    }

    @Test
    void capsGpusAndProcessNamesButCountsEverySample() {
        WindowAccumulator w = new WindowAccumulator();
        for (int node = 0; node < 6; node++) {
            gpuOn("node-" + node, range(0, 8), 0.9, 0.55, "python").forEach(w::add);
        }
        for (int i = 0; i < 40; i++) {
            w.add(Fixtures.gpuSampleBuilder()
                    .setGpu(0)
                    .setNode("node-0")
                    .setProcesses(List.of(Fixtures.gpuProcess(i, "helper-" + i, i)))
                    .build());
        }
        w.add(Fixtures.gpuSampleBuilder()
                .setGpu(0)
                .setNode("node-0")
                .setProcesses(List.of(Fixtures.gpuProcess(99, "ethminer", 1)))
                .build());

        assertThat(w.gpus).hasSize(WindowAccumulator.MAX_GPUS);
        assertThat(w.gpus.get(GpuStats.key("node-0", 0)).processes)
                .hasSize(GpuStats.MAX_PROCESS_NAMES)
                .containsKey("ethminer");
        assertThat(w.sampleCount()).isEqualTo(6 * 8 * 12 + 41);
        assertThat(w.gpuOverflowSamples).isEqualTo(16 * 12);
        assertThat(FeatureSet.CURRENT.toMap(w.features(FeatureSet.CURRENT)).get(MINER_PROCESS))
                .isEqualTo(1.0);
    }

    @Test
    void refusesAnotherJobsSignals() {
        WindowAccumulator w = new WindowAccumulator();
        w.add(Fixtures.gpuSample());

        assertThatThrownBy(() ->
                        w.add(Fixtures.gpuSampleBuilder().setJobId("job-43").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job-43");
    }

    // ------------------------------------------------------------------ evidence

    @Test
    void showsAScansUnansweredProbesNextToTheBiggestDestinations() {
        WindowAccumulator w = scene().with(internalScan(50))
                .with(upload(DROP_IP, 90L << 20))
                .with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 30, 10)
                .window();

        Evidence e = w.evidence(10);

        assertThat(e.getDestinations()).hasSize(10);
        Destination top = e.getDestinations().get(0);
        assertThat(top.getIp()).isEqualTo(DROP_IP);
        assertThat(top.getExternal()).isTrue();
        assertThat(top.getPort()).isEqualTo(443);
        assertThat(top.getProtocol()).isEqualTo("TCP");
        assertThat(top.getBytes()).isEqualTo((90L << 20) + (90L << 20) / 500);
        assertThat(top.getFlows()).isEqualTo(1);
        assertThat(e.getDestinations().get(1).getIp()).isEqualTo(TRACKER_IP);
        assertThat(e.getDestinations().stream().filter(d -> d.getUnanswered() > 0))
                .hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(d -> assertThat(d.getIp()).startsWith("10.0.9."));
        assertThat(e.getDestinations())
                .extracting(Destination::getBytes)
                .isSortedAccordingTo(Collections.reverseOrder());
        assertThat(e.getFlowCount()).isEqualTo(50 * 3 + 2);
        assertThat(e.getSampleCount()).isZero();
    }

    @Test
    void showsATunnelsLongSessionThoughBusierDownloadsMoveMoreBytes() {
        WindowScene scene = scene().with(WindowScene.tunnel("203.0.113.7", 22));
        for (int i = 1; i <= 12; i++) {
            scene = scene.with(upload("198.51.100." + i, (long) i << 20));
        }

        Evidence e = scene.window().evidence(8);

        assertThat(e.getDestinations()).hasSize(8);
        assertThat(e.getDestinations())
                .filteredOn(d -> d.getIp().equals("203.0.113.7"))
                .singleElement()
                .satisfies(d -> assertThat(d.getPort()).isEqualTo(22));
        assertThat(e.getDestinations())
                .extracting(Destination::getBytes)
                .isSortedAccordingTo(Collections.reverseOrder());
    }

    @Test
    void saysPerDestinationWhatTheFeaturesCountedItAsAndTheFailedTargetsItLeavesOut() {
        WindowAccumulator w = scene().with(internalScan(50))
                .with(upload(DROP_IP, 90L << 20))
                .with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 30, 10)
                .with(WindowScene.tunnel("203.0.113.7", 22))
                .window();

        Evidence e = w.evidence(8);

        // the long-lived quarter (2 of 8) goes to the rare tunnel before the fleet's popular tracker
        assertThat(e.getDestinations())
                .filteredOn(d -> d.getIp().equals("203.0.113.7"))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getRare()).isTrue();
                    assertThat(d.getLongLived()).isTrue();
                    assertThat(d.getFailedPorts()).isEmpty();
                });
        assertThat(e.getDestinations())
                .filteredOn(d -> d.getIp().equals(DROP_IP))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getRare()).isTrue();
                    assertThat(d.getBytesOut()).isEqualTo(90L << 20);
                });
        assertThat(e.getDestinations())
                .filteredOn(d -> d.getIp().equals(TRACKER_IP))
                .allSatisfy(d -> assertThat(d.getRare()).isFalse());
        List<Destination> targets = e.getDestinations().stream()
                .filter(d -> !d.getFailedPorts().isEmpty())
                .toList();
        assertThat(targets).isNotEmpty().allSatisfy(d -> assertThat(d.getIp()).startsWith("10.0.9."));
        long listed = targets.stream().mapToLong(d -> d.getFailedPorts().size()).sum();
        long all = Math.round(Math.expm1(w.featureMap().get(FeatureSet.FAILED_TARGETS)));
        assertThat(e.getUnlistedFailedTargets()).isPositive().isEqualTo(all - listed);
    }

    @Test
    void showsUnansweredProbesEvenWhenBiggerDestinationsFillTheBytesHalf() {
        Evidence e = scene().with(internalScan(50)).with(ncclPeers(15)).window().evidence(10);

        assertThat(e.getDestinations().stream().filter(d -> d.getIp().startsWith("10.0.4.")))
                .hasSize(5);
        assertThat(e.getDestinations().stream().filter(d -> d.getUnanswered() > 0))
                .hasSize(5);
    }

    @Test
    void aTunnelKeepsItsPlaceInTheEvidenceOfAWindowWithManyBiggerDestinations() {
        // more peers than a window keeps, every one bigger than the tunnel, which answers: neither the bytes nor the
        // unanswered order keeps it, and the evidence's long-lived quarter lists it whatever the order of arrival
        List<Contact> contacts =
                scene().with(tunnel(TUNNEL_IP, 22)).with(ncclPeers(70)).contacts();
        List<Contact> reversed = new ArrayList<>(contacts);
        Collections.reverse(reversed);

        for (List<Contact> order : List.of(contacts, reversed)) {
            WindowAccumulator w = new WindowAccumulator();
            order.forEach(w::add);

            assertThat(w.evidence(10).getDestinations())
                    .extracting(Destination::getIp)
                    .contains(TUNNEL_IP);
        }
    }

    @Test
    void theEvidenceDoesNotDependOnTheOrderContactsArrivedIn() {
        // a few probes and many big peers: a compaction leaves room, and what arrives after it is kept until the next
        List<Contact> contacts = scene().with(internalScan(5))
                .with(ncclPeers(70))
                .with(tunnel(TUNNEL_IP, 22))
                .with(trackerConnection(TRACKER_IP))
                .contacts();
        WindowAccumulator first = new WindowAccumulator();
        contacts.forEach(first::add);

        for (int seed = 0; seed < 8; seed++) {
            List<Contact> shuffled = new ArrayList<>(contacts);
            Collections.shuffle(shuffled, new Random(seed));
            WindowAccumulator w = new WindowAccumulator();
            shuffled.forEach(w::add);

            assertThat(w.evidence(WindowAccumulator.MAX_EVIDENCE_DESTINATIONS))
                    .isEqualTo(first.evidence(WindowAccumulator.MAX_EVIDENCE_DESTINATIONS));
            assertThat(w.evidence(10)).isEqualTo(first.evidence(10));
        }
    }

    @Test
    void fillsEvidenceByBytesWhenNothingWentUnanswered() {
        Evidence e = scene().with(ncclPeers(15)).window().evidence(6);

        assertThat(e.getDestinations())
                .hasSize(6)
                .allSatisfy(d -> assertThat(d.getUnanswered()).isZero());
    }

    @Test
    void listsGpuProcessesMinerNamesFirstWithTheirGpus() {
        WindowAccumulator w = scene().gpus(training(range(0, 6)))
                .gpus(mining(List.of(6, 7), "xmrig"))
                .window();

        List<ProcessEvidence> processes = w.evidence(5).getProcesses();

        assertThat(processes).extracting(ProcessEvidence::getName).containsExactly("xmrig", "python");
        assertThat(processes.get(0).getGpus()).containsExactly(6, 7);
        assertThat(processes.get(0).getMaxUsedMib()).isEqualTo(4_096);
        assertThat(processes.get(1).getGpus()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(w.evidence(5).getSampleCount()).isEqualTo(8 * 12);
    }

    @Test
    void givesEmptyEvidenceForAnEmptyWindow() {
        Evidence e = new WindowAccumulator().evidence(10);

        assertThat(e.getDestinations()).isEmpty();
        assertThat(e.getProcesses()).isEmpty();
        assertThat(e.getFlowCount()).isZero();
    }

    @Test
    void usesWindowBoundsOfTheContactsItWasGiven() {
        List<Contact> contacts = scene().with(tunnel(TUNNEL_IP, 22)).contacts();

        assertThat(contacts).singleElement().satisfies(c -> {
            assertThat(c.windowStart).isEqualTo(WINDOW_START);
            assertThat(c.windowEnd).isEqualTo(WINDOW_END);
            assertThat(c.rare()).isTrue();
        });
        assertThat(HALF_A_MINUTE_LATER).isAfter(BEGINNING);
    }

    @Test
    void aHostOfTheTailCountsOnceHoweverManyPartsItCameInAndIsNeverRareNorEvidence() {
        Contact tunnelPart = scene().with(tunnel(TUNNEL_IP, 22)).contacts().get(0);
        assertThat(tunnelPart.rare()).isTrue(); // as a kept contact it would be
        WindowAccumulator w = new WindowAccumulator();
        w.addTail(tunnelPart);
        w.addTail(tunnelPart);

        Map<String, Double> f = FeatureSet.CURRENT.toMap(w.features(FeatureSet.CURRENT));
        assertThat(f.get(EXTERNAL_HOSTS)).isCloseTo(Math.log1p(1), within(1e-9));
        assertThat(f.get(FLOWS)).isCloseTo(Math.log1p(2), within(1e-9));
        assertThat(f.get(EXTERNAL_BYTES_OUT)).isCloseTo(Math.log1p(2 * tunnelPart.bytesOut), within(1e-9));
        assertThat(f.get(RARE_EXTERNAL_HOSTS)).isZero();
        assertThat(f.get(RARE_LONG_LIVED_HOSTS)).isZero();
        assertThat(w.evidence(32).getDestinations()).isEmpty();
    }
}
