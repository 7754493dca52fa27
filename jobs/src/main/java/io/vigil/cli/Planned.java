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

    @Command(name = "publish-model", description = "Hand a trained model to the running job through the model topic. (not built yet: issue #5)")
    static final class PublishModel extends Verb {
        String what() {
            return "publish a model artifact to the model topic for the running job to swap in";
        }

        int issue() {
            return 5;
        }
    }
}
