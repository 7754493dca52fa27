package io.vigil.pipeline.kafka;

import io.vigil.settings.KafkaClients;
import io.vigil.settings.VigilConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

/**
 * Asks the brokers, before a job starts, whether they take Vigil's Kafka client properties. A job whose
 * credentials are refused would fail in its sources and sinks and restart for ever, each time with a stack
 * trace; asked here, the refusal is one message that names it (authentication failed, not authorized) and the
 * job is not started. Brokers that do not answer in time are not a refusal: the job starts and its clients keep
 * trying, as they do when a broker goes away later.
 */
public final class BrokerCheck {
    /** What the brokers said. */
    public enum Outcome {
        /** They answered with the configured credentials. */
        ANSWERED,
        /** They refused the credentials or the rights: starting the job would only fail. */
        REFUSED,
        /** They did not answer in time, or the check could not be made here: the job may still reach them. */
        UNKNOWN
    }

    /** @param message what to tell the user; null when the brokers answered */
    public record Result(Outcome outcome, String message) {}

    private BrokerCheck() {}

    /**
     * Asks the cluster for its id with the job's client properties, waiting at most {@code patience}.
     *
     * @throws ConfigException when a Kafka client property has a value Kafka does not take (the job's clients
     *     would refuse it too)
     */
    public static Result check(VigilConfig config, Duration patience) {
        int ms = (int) patience.toMillis();
        Map<String, Object> tunable = Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.CLIENT_ID_CONFIG, "vigil-broker-check");
        String where = " at " + config.bootstrapServers();
        try (Admin admin = Admin.create(config.kafkaClient(tunable))) {
            admin.describeCluster().clusterId().get(patience.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(Outcome.ANSWERED, null);
        } catch (ExecutionException e) {
            return KafkaClients.isRefusal(e)
                    ? new Result(Outcome.REFUSED, "the brokers" + where + " refused: " + KafkaClients.failure(e))
                    : new Result(
                            Outcome.UNKNOWN, "the brokers" + where + " did not answer: " + KafkaClients.failure(e));
        } catch (TimeoutException e) {
            return new Result(Outcome.UNKNOWN, "no broker" + where + " answered within " + patience.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Outcome.UNKNOWN, "interrupted while asking the brokers" + where);
        } catch (ConfigException e) {
            throw e;
        } catch (KafkaException e) {
            // e.g. a keystore path that exists on the TaskManagers but not where the job is submitted from
            return new Result(
                    Outcome.UNKNOWN, "could not ask the brokers" + where + " from here: " + KafkaClients.failure(e));
        }
    }
}
