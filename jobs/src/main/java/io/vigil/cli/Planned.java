package io.vigil.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * Verbs of the contract (DESIGN.md) that are not built yet. Each says so, names the issue that builds
 * it, and exits with {@link #NOT_BUILT} rather than pretending.
 */
final class Planned {
    /** Exit code of a verb that is not built yet. */
    static final int NOT_BUILT = 3;

    private Planned() {}

    abstract static class Verb implements Callable<Integer> {
        @Parameters(hidden = true, arity = "0..*")
        List<String> ignoredArguments;

        @Unmatched
        List<String> ignoredFlags;

        abstract String what();

        abstract int issue();

        @Override
        public Integer call() {
            Command command = getClass().getAnnotation(Command.class);
            System.err.println("vigil " + command.name() + " is not built yet: it will " + what()
                    + " (issue #" + issue() + ").");
            return NOT_BUILT;
        }
    }

    @Command(name = "windows", description = "Export the pipeline's labelled windows of datasets, for training. (not built yet: issue #5)")
    static final class Windows extends Verb {
        String what() {
            return "export the pipeline's own windows, labelled from labels.json";
        }

        int issue() {
            return 5;
        }
    }

    @Command(name = "train", description = "Train models from labelled windows. (not built yet: issue #5)")
    static final class Train extends Verb {
        String what() {
            return "train the detectors from labelled windows";
        }

        int issue() {
            return 5;
        }
    }

    @Command(name = "evaluate", description = "Backtest a model over datasets: detection, time to detect, false alerts. (not built yet: issue #5)")
    static final class Evaluate extends Verb {
        String what() {
            return "backtest a model over datasets";
        }

        int issue() {
            return 5;
        }
    }
}
