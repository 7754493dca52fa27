package io.vigil.tools.cli;

import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelSigning;
import io.vigil.models.model.ModelTrust;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.records.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Signs a model artifact in place, after checking that it loads. */
@Command(
        name = "sign",
        mixinStandardHelpOptions = true,
        description = {
            "Sign a model artifact with an Ed25519 private key (from vigil keygen), in place: any earlier"
                    + " signature is replaced. The artifact must load (format, feature set, canned windows) before it is"
                    + " signed, and the signature is checked with the public key.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:signed", "2:the artifact is refused, or a key file is not an Ed25519 key"})
final class SignCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model artifact file.")
    Path file;

    @Option(
            names = "--private-key",
            required = true,
            paramLabel = "FILE",
            description = "The signing key (PKCS#8 PEM).")
    Path privateKey;

    @Option(names = "--public-key", required = true, paramLabel = "FILE", description = "Its public key (X.509 PEM).")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
        PrivateKey key;
        PublicKey pub;
        try {
            key = ModelSigning.readPrivateKey(privateKey);
            pub = ModelSigning.readPublicKey(publicKey);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("vigil sign: " + Printable.escape(e.getMessage()));
            return 2;
        }
        signInPlace(file, key, pub);
        spec.commandLine().getOut().printf("signed %s with key %s%n", Printable.escape(file), ModelSigning.keyId(pub));
        return 0;
    }

    /** Loads the artifact (unsigned allowed), signs it and replaces the file atomically. */
    static void signInPlace(Path file, PrivateKey key, PublicKey pub) throws Exception {
        Scorers.load(file, ModelTrust.of(List.of(), true));
        byte[] signed = ModelArtifact.sign(Files.readAllBytes(file), key, pub);
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".vigil-sign-", ".tmp");
        try {
            Files.write(tmp, signed);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
