package io.vigil.pipeline.kafka;

import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates Vigil's topics, with the names and partition counts of {@link VigilConfig}. */
public final class KafkaTopics {
    private KafkaTopics() {}

    /** Creation returns when the controller has the topic; producers need its partitions led by a broker. */
    private static void awaitLeaders(Admin admin, List<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!topics.isEmpty()) {
            try {
                boolean ready = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                        .allMatch(d -> d.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not visible yet on the broker we asked
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " were created but have no leader after 30 s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Creates every topic of {@link Topic} that does not exist yet. Existing topics are left as they are.
     *
     * @return the names of the topics created now
     */
    public static List<String> createAll(VigilConfig config) {
        try (Admin admin =
                Admin.create(config.kafkaClient(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> wanted = new ArrayList<>();
            for (Topic topic : Topic.values()) {
                if (!existing.contains(config.topic(topic))) {
                    short rf = config.replicationFactor();
                    wanted.add(new NewTopic(
                                    config.topic(topic),
                                    Optional.of(config.partitions(topic)),
                                    rf < 0 ? Optional.empty() : Optional.of(rf))
                            .configs(topic.kafkaSettings()));
                }
            }
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> e :
                    admin.createTopics(wanted).values().entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "could not create topic " + e.getKey() + ": " + KafkaClients.failure(ex.getCause()),
                                ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, created);
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "could not reach Kafka at " + config.bootstrapServers() + ": " + KafkaClients.failure(e), e);
        }
    }
}
