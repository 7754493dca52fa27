package io.vigil.tools.cli;

import io.vigil.models.model.ModelSigning;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Makes the Ed25519 key pair that signs model releases. */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = {
            "Make an Ed25519 key pair for signing model releases: the private key (PKCS#8 PEM, readable by"
                    + " its owner only) signs with `vigil train --signing-key` or `vigil sign`; the public key (X.509 PEM)"
                    + " goes to --model-trusted-keys of detect, replay, evaluate and publish-model. Existing files are never"
                    + " overwritten. Keep the private key out of the repository.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:keys written", "2:a key file exists already"})
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--private-key", required = true, paramLabel = "FILE", description = "Where the private key goes.")
    Path privateKey;

    @Option(names = "--public-key", required = true, paramLabel = "FILE", description = "Where the public key goes.")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
        try {
            String id = ModelSigning.generate(privateKey, publicKey);
            spec.commandLine().getOut().printf("key %s: private %s, public %s%n", id, privateKey, publicKey);
            return 0;
        } catch (FileAlreadyExistsException e) {
            spec.commandLine()
                    .getErr()
                    .println("vigil keygen: " + e.getFile() + " exists; a key file is never overwritten");
            return 2;
        }
    }
}
