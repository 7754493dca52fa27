package io.vigil.tools.cli;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelSigning;
import io.vigil.models.model.VigilModel;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.LabelledWindows;
import io.vigil.models.training.Trainer;
import io.vigil.records.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a model from labelled windows ({@code vigil windows}) and writes its artifact. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a model from labelled windows (the files of `vigil windows`) and write its artifact to --out:"
                    + " the fleet, per-job and supervised detectors, a threshold chosen out of fold for"
                    + " --target-false-alerts, categories and reasons. Deterministic: the same windows and flags give the"
                    + " same file, byte for byte. Prints the model version, threshold, metrics, and the artifact's size and"
                    + " SHA-256. Check it with `vigil evaluate --model FILE DATASET…`.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:trained; artifact written",
            "1:training failed",
            "2:bad usage or a bad windows file (the message names it)"
        })
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--windows",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "Labelled-windows files (JSON lines, .gz or not); repeatable.")
    List<Path> windowFiles;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "The model artifact (replaced if it exists).")
    Path out;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Every random choice of training derives from it. Default: ${DEFAULT-VALUE}.")
    long seed = Trainer.Options.defaults().seed();

    @Option(
            names = "--target-false-alerts",
            paramLabel = "R",
            description =
                    "False alerts per 100 job-hours the threshold aims at on benign windows (out of fold). Default: ${DEFAULT-VALUE}.")
    double targetFalseAlerts = Trainer.Options.defaults().targetFalseAlertsPer100JobHours();

    @Option(
            names = "--signing-key",
            paramLabel = "FILE",
            description =
                    "Sign the artifact with this Ed25519 private key (PKCS#8 PEM, from vigil keygen); needs --public-key.")
    Path signingKey;

    @Option(names = "--public-key", paramLabel = "FILE", description = "The signing key's public key (X.509 PEM).")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!(targetFalseAlerts > 0) || Double.isInfinite(targetFalseAlerts)) {
            err.println("vigil train: --target-false-alerts must be a positive number, not " + targetFalseAlerts);
            return 2;
        }
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            err.println("vigil train: --out " + out + ": no directory " + out.getParent());
            return 2;
        }
        if ((signingKey == null) != (publicKey == null)) {
            err.println("vigil train: --signing-key and --public-key go together");
            return 2;
        }
        FeatureSet featureSet = FeatureSet.CURRENT;
        List<LabelledWindow> windows = new ArrayList<>();
        for (Path file : windowFiles) {
            if (!Files.isRegularFile(file)) {
                err.println("vigil train: no windows file " + Printable.escape(file));
                return 2;
            }
            try {
                List<LabelledWindow> read = LabelledWindows.read(file, featureSet);
                err.printf(Locale.ROOT, "read %d windows from %s%n", read.size(), Printable.escape(file));
                windows.addAll(read);
            } catch (IOException e) {
                err.println("vigil train: " + Printable.escape(e.getMessage()));
                return 2;
            }
        }
        if (windows.isEmpty()) {
            err.println("vigil train: the windows files hold no window");
            return 2;
        }
        err.printf(
                Locale.ROOT,
                "training on %d windows (seed %d, target %s false alerts per 100 job-hours)%n",
                windows.size(),
                seed,
                targetFalseAlerts);
        err.flush();
        long started = System.nanoTime();
        VigilModel model;
        try {
            model = Trainer.train(featureSet, windows, new Trainer.Options(seed, targetFalseAlerts), line -> {
                err.println("  " + Printable.escape(line));
                err.flush();
            });
        } catch (IllegalArgumentException e) {
            // the windows cannot train a model (no positives, one dataset...): the trainer says why
            err.println("vigil train: " + Printable.escape(e.getMessage()));
            return 2;
        }
        byte[] artifact = ModelArtifact.toBytes(model);
        if (signingKey != null) {
            artifact = ModelArtifact.sign(
                    artifact, ModelSigning.readPrivateKey(signingKey), ModelSigning.readPublicKey(publicKey));
        }
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".vigil-train-", ".tmp");
        try {
            Files.write(tmp, artifact);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        stdout.print(describe(model, artifact));
        stdout.printf(Locale.ROOT, "wrote %s (%.1f s)%n", out, (System.nanoTime() - started) / 1e9);
        stdout.flush();
        return 0;
    }

    /** The lines that say which model this is: version, kind, threshold, metrics, size and checksum. */
    static String describe(VigilModel model, byte[] artifact) {
        StringBuilder s = new StringBuilder();
        s.append("model: ")
                .append(model.modelVersion())
                .append(" (")
                .append(model.kind())
                .append(", feature set ")
                .append(model.featureSet().id())
                .append(")\n");
        s.append(String.format(Locale.ROOT, "threshold: %.4f%n", model.threshold()));
        s.append("trained on:");
        model.trainingSummary()
                .forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        s.append('\n');
        s.append("metrics (out of fold):");
        for (Map.Entry<String, Object> e : model.metrics().entrySet()) {
            s.append(' ')
                    .append(e.getKey())
                    .append('=')
                    .append(e.getValue() instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : e.getValue());
        }
        s.append('\n');
        s.append(String.format(Locale.ROOT, "artifact: %d bytes, sha256 %s%n", artifact.length, sha256(artifact)));
        return s.toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
