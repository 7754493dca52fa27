package io.vigil.collector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Shell scripts standing in for nvidia-smi: one printing the fixture output, one failing like a broken driver. */
public final class FakeNvidiaSmi {
    private FakeNvidiaSmi() {}

    /** Prints the fixture for --query-gpu or --query-compute-apps, as the real one does. */
    public static Path working(Path dir) throws IOException {
        Path gpu = copy(dir, "nvidia-smi-query-gpu.csv");
        Path apps = copy(dir, "nvidia-smi-query-compute-apps.csv");
        return script(dir.resolve("nvidia-smi"), """
                #!/bin/sh
                case "$1" in
                  --query-gpu=*) cat '%s' ;;
                  --query-compute-apps=*) cat '%s' ;;
                  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
                esac
                """.formatted(gpu, apps));
    }

    /** Fails as nvidia-smi does when the driver is gone. */
    public static Path failing(Path dir) throws IOException {
        return script(dir.resolve("nvidia-smi-broken"), """
                #!/bin/sh
                echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2
                exit 9
                """);
    }

    private static Path copy(Path dir, String fixture) throws IOException {
        Path target = dir.resolve(fixture);
        try (InputStream in = FakeNvidiaSmi.class.getResourceAsStream("/collect/" + fixture)) {
            Files.copy(in, target);
        }
        return target;
    }

    private static Path script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
