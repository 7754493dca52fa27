package io.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code vigil detect} against a broker nobody runs: it says so on stderr, naming the servers (no secret), and
 * says it again at every retry instead of sitting silent; the test stops it once it has seen two of them. And the
 * cluster job jar's command line (DetectJob.main) takes the same Kafka client properties as `vigil detect`.
 */
class DetectCommandTest {
    /** How long the test waits for a line it expects before it gives up: a guard, not a pace. */
    static final long PATIENCE_S = 120;

    @Test
    void againstAnUnreachableBrokerItSaysSoAndKeepsSayingItWhileItRetries() throws Exception {
        String servers = "127.0.0.1:" + freePort();

        Detect detect = Detect.start("--bootstrap-servers", servers);
        List<String> retries = detect.awaitRetries(2);
        int exitCode = detect.stop();

        assertThat(retries.get(0))
                .startsWith("vigil detect: no Kafka broker answers at " + servers
                        + " (bootstrap.servers) within 5 s; retrying every 5 s (waiting for ");
        assertThat(retries.get(1)).startsWith("vigil detect: no Kafka broker answers at " + servers);
        assertThat(detect.said()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(exitCode).isEqualTo(1);
        assertThat(detect.said()).endsWith("vigil detect: stopped before the job started\n");
    }

    @Test
    void credentialsInTheServersAreHiddenInWhatItSays() throws Exception {
        Detect detect = Detect.start("--bootstrap-servers", "SASL_SSL://vigil:hunter2@127.0.0.1:" + freePort());
        List<String> retries = detect.awaitRetries(2);
        detect.stop();

        assertThat(retries).allSatisfy(line -> assertThat(line).contains("SASL_SSL://[hidden]@127.0.0.1:"));
        assertThat(detect.said()).doesNotContain("hunter2");
    }

    @Test
    void theClusterEntryPointTakesKafkaClientPropertiesAndRefusesVigilsOwn() {
        CommandLine cmd = DetectCommand.commandLine();
        assertThat(cmd.getCommandSpec().findOption("--kafka-config")).isNotNull();
        assertThat(cmd.getCommandSpec().findOption("--kafka-property")).isNotNull();

        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(
                "--kafka-property", "security.protocol=SASL_SSL", "--kafka-property", "transactional.id=mine");
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString())
                .contains("transactional.id is Vigil's own")
                .contains("--alerts-transactional-id-prefix");
    }

    /** A loopback port that was free a moment ago: nothing listens on it. */
    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The command on a thread of its own, its stderr line by line as it comes. */
    record Detect(Thread thread, AtomicInteger exitCode, BlockingQueue<String> lines, StringWriter all) {
        static Detect start(String... args) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            StringWriter all = new StringWriter();
            CommandLine cmd = DetectCommand.commandLine();
            cmd.setErr(new PrintWriter(new LineWriter(lines, all), true));
            cmd.setOut(new PrintWriter(new LineWriter(lines, all), true));
            AtomicInteger exitCode = new AtomicInteger(-1);
            Thread thread = new Thread(() -> exitCode.set(cmd.execute(args)), "vigil-detect");
            thread.start();
            return new Detect(thread, exitCode, lines, all);
        }

        /** The first {@code n} lines that say it retries; fails when one does not come. */
        List<String> awaitRetries(int n) throws InterruptedException {
            List<String> retries = new ArrayList<>();
            while (retries.size() < n) {
                String line = lines.poll(PATIENCE_S, TimeUnit.SECONDS);
                assertThat(line).as("a line on stderr; so far: " + said()).isNotNull();
                if (line.contains("retrying every 5 s")) {
                    retries.add(line);
                }
            }
            return retries;
        }

        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(PATIENCE_S));
            assertThat(thread.isAlive()).as("stopped").isFalse();
            return exitCode.get();
        }

        String said() {
            synchronized (all) {
                return all.toString();
            }
        }
    }

    /** Hands each complete line to a queue, and keeps everything. */
    static final class LineWriter extends Writer {
        private final BlockingQueue<String> lines;
        private final StringWriter all;
        private final StringBuilder line = new StringBuilder();

        LineWriter(BlockingQueue<String> lines, StringWriter all) {
            this.lines = lines;
            this.all = all;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            synchronized (all) {
                all.write(buf, off, len);
            }
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    lines.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append(buf[i]);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
