package io.vigil.pipeline.detect;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelTrust;
import io.vigil.models.model.VigilModel;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.Trainer;
import io.vigil.records.Category;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small trained models for tests of model releases, trained in a moment on synthetic windows: benign jobs
 * around a typical training job's features, and a few scanning windows. Another seed, another model
 * (another version).
 */
final class TinyModels {
    private TinyModels() {}

    static VigilModel train(long seed) {
        return train(FeatureSet.CURRENT, seed);
    }

    static VigilModel train(FeatureSet featureSet, long seed) {
        return Trainer.train(featureSet, windows(featureSet, seed), new Trainer.Options(seed, 1.0), line -> {});
    }

    /** The key releases are signed with: made for this run, never written anywhere. */
    static final KeyPair RELEASE_KEY = releaseKey();
    /** Trusts releases signed with {@link #RELEASE_KEY}, and no unsigned one. */
    static final ModelTrust TRUST = ModelTrust.of(List.of(RELEASE_KEY.getPublic()), false);

    private static KeyPair releaseKey() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The model's artifact, signed with {@link #RELEASE_KEY}. */
    static byte[] artifact(VigilModel model) {
        try {
            return ModelArtifact.sign(ModelArtifact.toBytes(model), RELEASE_KEY.getPrivate(), RELEASE_KEY.getPublic());
        } catch (ModelArtifact.RefusedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Two datasets of three jobs, an hour each; one job scans the internal network for five minutes. */
    static List<LabelledWindow> windows(FeatureSet featureSet, long seed) {
        Random random = new Random(seed);
        double[] typical = new double[featureSet.size()];
        for (int i = 0; i < typical.length; i++) {
            typical[i] = 1 + random.nextInt(20);
        }
        List<LabelledWindow> windows = new ArrayList<>();
        long start = 1_771_038_000_000L;
        for (String dataset : List.of("a", "b")) {
            for (int job = 0; job < 3; job++) {
                String jobId = dataset + "-job-" + job;
                for (int minute = 0; minute < 60; minute++) {
                    double[] f = new double[typical.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = Math.max(0, typical[i] * (1 + 0.1 * random.nextGaussian()));
                    }
                    boolean scanning = job == 2 && minute >= 30 && minute < 35;
                    if (scanning && featureSet.names().contains(FeatureSet.FAILED_HOSTS)) {
                        f[featureSet.index(FeatureSet.FAILED_HOSTS)] = 200 + 10 * random.nextGaussian();
                    }
                    long from = start + minute * 60_000L;
                    windows.add(new LabelledWindow(
                            dataset,
                            jobId,
                            from,
                            from + 60_000L,
                            f,
                            scanning ? Category.NETWORK_SCAN : null,
                            scanning ? dataset + "-scan" : null));
                }
            }
        }
        return windows;
    }
}
