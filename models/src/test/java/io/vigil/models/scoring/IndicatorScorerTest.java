package io.vigil.models.scoring;

import static io.vigil.models.features.WindowScene.API_IP;
import static io.vigil.models.features.WindowScene.CODE_HOST_IP;
import static io.vigil.models.features.WindowScene.DROP_IP;
import static io.vigil.models.features.WindowScene.OBJECT_STORE_IP;
import static io.vigil.models.features.WindowScene.POOL_IP;
import static io.vigil.models.features.WindowScene.PROXY_IP;
import static io.vigil.models.features.WindowScene.TRACKER_IP;
import static io.vigil.models.features.WindowScene.TUNNEL_IP;
import static io.vigil.models.features.WindowScene.apiCall;
import static io.vigil.models.features.WindowScene.fp32Training;
import static io.vigil.models.features.WindowScene.gitOverSsh;
import static io.vigil.models.features.WindowScene.gpu;
import static io.vigil.models.features.WindowScene.internalScan;
import static io.vigil.models.features.WindowScene.metadataCall;
import static io.vigil.models.features.WindowScene.mining;
import static io.vigil.models.features.WindowScene.ncclPeers;
import static io.vigil.models.features.WindowScene.poolConnection;
import static io.vigil.models.features.WindowScene.range;
import static io.vigil.models.features.WindowScene.scene;
import static io.vigil.models.features.WindowScene.trackerConnection;
import static io.vigil.models.features.WindowScene.training;
import static io.vigil.models.features.WindowScene.tunnel;
import static io.vigil.models.features.WindowScene.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.Probes;
import io.vigil.models.features.WindowScene;
import io.vigil.models.scoring.IndicatorScorer.Indicator;
import io.vigil.records.Category;
import io.vigil.records.Reason;
import io.vigil.records.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class IndicatorScorerTest {
    private final IndicatorScorer scorer = new IndicatorScorer();

    /** What every benign window here has around it: a training job on 8 GPUs talking to its 15 peers and a popular tracker. */
    private static WindowScene trainingJob() {
        return scene().with(ncclPeers(15))
                .with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 60, 30)
                .gpus(training(range(0, 8)));
    }

    private Verdict score(WindowScene scene) {
        return scorer.score(scene.features());
    }

    private static List<String> reasonFeatures(Verdict v) {
        return v.reasons().stream().map(Reason::getFeature).toList();
    }

    // ------------------------------------------------------------------ alerts

    @Test
    void alertsWhenMinerTakesIdleGpu() {
        // Six GPUs train; the two the job left idle hash. The miner calls itself "python", and reaches its
        // pool through the cluster's popular HTTP proxy: only the GPUs give it away.
        Verdict v = score(scene().with(ncclPeers(15))
                .with(poolConnection(PROXY_IP, 3128))
                .popular(PROXY_IP, 200, 80)
                .gpus(training(range(0, 6)))
                .gpus(mining(List.of(6, 7), "python")));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).first().isEqualTo(Category.CRYPTO_MINING);
        assertThat(reasonFeatures(v)).first().isEqualTo(FeatureSet.HASHING_DIVERGENCE);
        assertThat(v.reasons().get(0).getFleetBaseline()).isZero();
        assertThat(v.reasons().get(0).getJobBaseline()).isNull();
    }

    @Test
    void alertsWithHighSeverityWhenANamedMinerTalksToARarePool() {
        Verdict v = score(trainingJob().with(poolConnection(POOL_IP, 3333)).gpus(mining(List.of(8, 9), "xmrig")));

        assertThat(v.flagged()).isTrue();
        assertThat(v.score()).isGreaterThan(0.9);
        assertThat(v.categories()).first().isEqualTo(Category.CRYPTO_MINING);
        assertThat(v.categories()).doesNotContain(Category.REVERSE_TUNNEL);
        assertThat(v.severity()).isIn(Severity.HIGH, Severity.CRITICAL);
        assertThat(reasonFeatures(v)).contains(FeatureSet.MINER_PROCESS, FeatureSet.HASHING_GPU_FRACTION);
    }

    @Test
    void alertsWhenAllGpusHashAndTheJobHoldsARarePersistentConnection() {
        Verdict v = score(scene().with(poolConnection(POOL_IP, 443)).gpus(mining(range(0, 8), "python")));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).first().isEqualTo(Category.CRYPTO_MINING);
    }

    @Test
    void alertsOnInternalScan() {
        Verdict v = score(trainingJob().with(internalScan(50)).with(metadataCall()));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(v.severity()).isEqualTo(Severity.HIGH);
        assertThat(reasonFeatures(v)).contains(FeatureSet.FAILED_HOSTS, FeatureSet.METADATA_SERVICE_FLOWS);
    }

    @Test
    void alertsOnAPortScanOfOneInternalHost() {
        List<JobFlow> probes = new ArrayList<>();
        for (int port = 1; port <= 200; port++) {
            probes.add(WindowScene.of(WindowScene.outbound("10.0.7.7", port)
                    .setConnState("REJ")
                    .setOrigBytes(0)
                    .setRespBytes(0)
                    .setOrigPkts(1)
                    .setRespPkts(1)));
        }

        Verdict v = score(trainingJob().with(probes));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(reasonFeatures(v)).contains(FeatureSet.FAILED_PORTS_ONE_HOST);
    }

    @Test
    void alertsOnAScanScatteredOverHostsAndPortsThatNeitherShapeRuleSees() {
        WindowScene scan = trainingJob().with(Probes.scatteredScan());
        Verdict v = score(scan);

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(reasonFeatures(v)).first().isEqualTo(FeatureSet.FAILED_TARGETS);
        assertThat(scorer.contributions(scan.features()))
                .containsEntry(Indicator.PORT_SWEEP, 0.0)
                .containsEntry(Indicator.VERTICAL_PORT_SCAN, 0.0)
                .containsEntry(Indicator.SLOW_SCAN, 0.0);
    }

    @Test
    void alertsOnUdpScansRefusedOrSilent() {
        for (List<JobFlow> scan : List.of(Probes.udpPortScan("10.0.9.50", 6), Probes.snmpSweep(40))) {
            Verdict v = score(trainingJob().with(scan));

            assertThat(v.flagged()).isTrue();
            assertThat(v.categories()).containsExactly(Category.NETWORK_SCAN);
        }
    }

    @Test
    void alertsOnAScanSlowerThanAWindowFromTheJobsMemoryAlone() {
        double[] x = trainingJob().with(Probes.slowSweepMinute(0)).features();
        x[FeatureSet.CURRENT.index(FeatureSet.RECENT_FAILED_TARGETS)] = Math.log1p(30); // a host a minute, half an hour

        Verdict v = scorer.score(x);

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(reasonFeatures(v)).first().isEqualTo(FeatureSet.RECENT_FAILED_TARGETS);
        assertThat(scorer.contributions(x)).containsEntry(Indicator.TARGET_SWEEP, 0.0);
    }

    @Test
    void staysQuietOnBusyClientsAndAJobsChores() {
        assertThat(score(trainingJob().with(Probes.crawler())).score()).isLessThan(0.2);
        assertThat(score(trainingJob()
                                .with(Probes.crawlerMinute(3))
                                .with(Probes.dnsToResolvers())
                                .with(Probes.choresAndChecks())
                                .with(Probes.chromecastSsdp()))
                        .score())
                .isZero();
    }

    @Test
    void alertsOnReverseTunnel() {
        Verdict v = score(trainingJob().with(tunnel(TUNNEL_IP, 22)));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.REVERSE_TUNNEL);
        assertThat(v.severity()).isIn(Severity.HIGH, Severity.CRITICAL);
        assertThat(reasonFeatures(v)).contains(FeatureSet.RARE_INTERACTIVITY, FeatureSet.RARE_SSH_FLOWS);
    }

    @Test
    void alertsOnReverseTunnelHiddenOnPort443() {
        Verdict v = score(trainingJob().with(tunnel(TUNNEL_IP, 443)));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.REVERSE_TUNNEL);
    }

    @Test
    void alertsOnLargeUploadToRareHost() {
        Verdict v = score(trainingJob().with(upload(DROP_IP, 200L << 20)));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.EXFILTRATION);
        // alone, weaker evidence than a scan or a miner: a team's own bucket is rare too
        assertThat(v.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(reasonFeatures(v))
                .startsWith(FeatureSet.RARE_EXTERNAL_BYTES_OUT, FeatureSet.RARE_EXTERNAL_UPLOAD_RATIO);
    }

    @Test
    void namesEveryKindWhenRomeDoesItAllAtOnce() {
        Verdict v = score(trainingJob()
                .with(tunnel(TUNNEL_IP, 22))
                .with(internalScan(40))
                .with(metadataCall())
                .with(poolConnection(POOL_IP, 3333))
                .gpus(mining(List.of(8, 9), "python")));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).contains(Category.REVERSE_TUNNEL, Category.NETWORK_SCAN, Category.CRYPTO_MINING);
        assertThat(v.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(v.reasons()).hasSize(Verdict.MAX_REASONS);
        assertThat(v.reasons()).extracting(Reason::getWeight).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    }

    @Test
    void namesGpuDiversionWhenAForeignProcessComputesDifferentlyOnSomeGpus() {
        // Something else trains on the job's last two GPUs: tensor work, but not the job's kind, under another name.
        Verdict v = score(trainingJob().gpus(gpu(List.of(8, 9), 0.9, 0.2, "agent-finetune")));

        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).containsExactly(Category.GPU_DIVERSION);
        assertThat(reasonFeatures(v)).contains(FeatureSet.ODD_PROCESS_GPU_FRACTION);
    }

    // ------------------------------------------------------------------ benign traps

    @Test
    void staysQuietOnAnOrdinaryTrainingJob() {
        Verdict v = score(trainingJob());

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
        assertThat(v.categories()).isEmpty();
        assertThat(v.reasons()).isEmpty();
        assertThat(v.severity()).isEqualTo(Severity.LOW);
    }

    @Test
    void staysQuietOnFleetWideTrackerTraffic() {
        Verdict v = score(scene().with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 120, 90)
                .with(trackerConnection("198.51.100.21"))
                .popular("198.51.100.21", 15, 2)
                .gpus(training(range(0, 8))));

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    @Test
    void staysQuietOnFp32Training() {
        Verdict v = score(scene().with(ncclPeers(15))
                .with(trackerConnection(TRACKER_IP))
                .popular(TRACKER_IP, 60, 30)
                .gpus(fp32Training(range(0, 8))));

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    @Test
    void staysQuietOnFp32TrainingThatLogsToATrackerNoOtherJobUses() {
        // Hashing-like GPUs and a long-lived rare connection, but the connection carries metric batches, not a
        // pool's small messages.
        Verdict v = score(
                scene().with(ncclPeers(15)).with(trackerConnection(TRACKER_IP)).gpus(fp32Training(range(0, 8))));

        assertThat(v.flagged()).isFalse();
    }

    @Test
    void staysQuietOnAnFp32NotebookUsingOneOfItsGpus() {
        Verdict v = score(scene().gpus(fp32Training(List.of(0))).gpus(gpu(range(1, 4), 0.0, 0.0, null)));

        assertThat(v.flagged()).isFalse();
    }

    @Test
    void staysQuietOnCheckpointExportToPopularStore() {
        Verdict v = score(trainingJob().with(upload(OBJECT_STORE_IP, 4L << 30)).popular(OBJECT_STORE_IP, 25, 0));

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    @Test
    void staysQuietOnGitOverSshToPopularHost() {
        Verdict v = score(trainingJob().with(gitOverSsh(CODE_HOST_IP)).popular(CODE_HOST_IP, 40, 1));

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    @Test
    void staysQuietOnGitOverSshToAHostNoOtherJobUses() {
        Verdict v = score(trainingJob().with(gitOverSsh(CODE_HOST_IP)));

        assertThat(v.flagged()).isFalse();
        assertThat(scorer.contributions(
                        trainingJob().with(gitOverSsh(CODE_HOST_IP)).features()))
                .containsEntry(Indicator.SSH_TO_RARE_HOST, Indicator.SSH_TO_RARE_HOST.weight());
    }

    @Test
    void staysQuietOnShortApiCallsOnOddPort() {
        Verdict v = score(trainingJob()
                .with(apiCall(API_IP, 8443))
                .with(apiCall("198.51.100.51", 7_000))
                .with(apiCall("198.51.100.52", 10_250)));

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    @Test
    void staysQuietOnAMinerNameAlone() {
        // A process whose name merely contains a miner's: the name alone never decides.
        Verdict v = score(trainingJob().gpus(training(List.of(8))).gpus(gpu(List.of(9), 0.9, 0.55, "t-rex-benchmark")));

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isGreaterThan(0);
        assertThat(reasonFeatures(v)).contains(FeatureSet.MINER_PROCESS);
    }

    @Test
    void staysQuietOnAHelperProcessOnOneGpu() {
        Verdict v = score(trainingJob().gpus(gpu(List.of(0), 0.9, 0.55, "nccl-watch")));

        assertThat(v.flagged()).isFalse();
    }

    @Test
    void staysQuietWithoutAnyTelemetry() {
        Verdict v = scorer.score(new double[FeatureSet.CURRENT.size()]);

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    // ------------------------------------------------------------------ contract

    @Test
    void describesItself() {
        assertThat(scorer.modelVersion()).isEqualTo("indicators-v3");
        assertThat(scorer.threshold()).isEqualTo(0.5);
        assertThat(scorer.featureSet()).isEqualTo(FeatureSet.CURRENT);
    }

    @Test
    void refusesAVectorOfTheWrongLength() {
        assertThatThrownBy(() -> scorer.score(new double[3])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverLetsANonFiniteFeatureRaiseAnAlert() {
        double[] f = new double[FeatureSet.CURRENT.size()];
        Arrays.fill(f, Double.NaN);

        Verdict v = scorer.score(f);

        assertThat(v.flagged()).isFalse();
        assertThat(v.score()).isZero();
    }

    @Test
    void refusesAFeatureSetWithoutTheFeaturesItReads() {
        FeatureSet tooSmall = FeatureSet.of(
                "tiny",
                List.of(new FeatureSet.Feature(
                        "flows", "flow reports", FeatureSet.Direction.UP, "more is the test's suspicious way")));

        assertThatThrownBy(() -> new IndicatorScorer(tooSmall)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givesReasonWeightsThatShareTheScore() {
        Verdict v = score(trainingJob().with(upload(DROP_IP, 200L << 20)));

        assertThat(v.reasons()).allSatisfy(r -> assertThat(r.getWeight()).isBetween(0.0, 1.0));
        assertThat(v.reasons().stream().mapToDouble(Reason::getWeight).sum()).isCloseTo(1.0, Assertions.within(1e-9));
    }

    @Test
    void keepsNoIndicatorConclusiveUnlessItsBehaviourIs() {
        // The weak hints stay under the threshold alone; the behaviours that are misuse by themselves do not.
        assertThat(List.of(Indicator.METADATA_PROBE, Indicator.SSH_TO_RARE_HOST, Indicator.MINER_PROCESS_NAME))
                .allSatisfy(i -> assertThat(i.weight()).isLessThan(IndicatorScorer.THRESHOLD));
        assertThat(List.of(
                        Indicator.HOST_SWEEP,
                        Indicator.TARGET_SWEEP,
                        Indicator.SLOW_SCAN,
                        Indicator.REVERSE_TUNNEL,
                        Indicator.LARGE_UPLOAD_TO_RARE_HOST,
                        Indicator.HASHING_ON_SOME_GPUS))
                .allSatisfy(i -> assertThat(i.weight()).isGreaterThanOrEqualTo(IndicatorScorer.THRESHOLD));
    }

    @Test
    void survivesJavaSerialisationAsAFlinkOperatorFieldWould() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(scorer);
        }
        WindowScorer back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (WindowScorer) in.readObject();
        }
        double[] tunnel = trainingJob().with(tunnel(TUNNEL_IP, 22)).features();

        assertThat(back.score(tunnel)).isEqualTo(scorer.score(tunnel));
    }
}
