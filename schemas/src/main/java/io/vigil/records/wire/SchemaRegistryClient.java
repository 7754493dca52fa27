package io.vigil.records.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * The two calls of the Confluent Schema Registry REST API that framing needs, with caches: register a
 * schema under a subject (idempotent: the registry returns the existing id) and fetch a schema by id.
 * Any registry that speaks this API (Confluent, Apicurio's compatibility API, Karapace) works.
 * Credentials may be given in the URL ({@code https://user:secret@host:8081}).
 */
public final class SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    /** Thrown when the registry answers that an id or subject does not exist. */
    public static final class NotFound extends IOException {
        NotFound(String message) {
            super(message);
        }
    }

    public SchemaRegistryClient(String url) {
        URI uri = Credentials.parse(
                url.endsWith("/") ? url.substring(0, url.length() - 1) : url, "the schema registry URL");
        this.authorization = Credentials.basicAuthorization(uri);
        this.base = Credentials.withoutUserInfo(uri);
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The registry's id for this schema under this subject, registering it if it is new. */
    public int register(String subject, Schema schema) {
        String key = subject + '\u0000' + schema.toString();
        Integer cached = idBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
            JsonNode answer = call(
                    HttpRequest.newBuilder(base.resolve(base.getPath() + "/subjects/"
                                    + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions"))
                            .POST(HttpRequest.BodyPublishers.ofString(body)),
                    "register " + subject);
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new IOException("schema registry at " + base + " answered without an id: " + answer);
            }
            idBySubjectAndSchema.put(key, id);
            schemaById.putIfAbsent(id, schema);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema with this id. Throws {@link NotFound} when the registry has no such id. */
    public Schema schema(int id) throws NotFound {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        try {
            JsonNode answer = call(
                    HttpRequest.newBuilder(base.resolve(base.getPath() + "/schemas/ids/" + id))
                            .GET(),
                    "schema id " + id);
            Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
            schemaById.put(id, schema);
            return schema;
        } catch (NotFound e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode call(HttpRequest.Builder request, String what) throws IOException {
        request.header("Accept", CONTENT_TYPE)
                .header("Content-Type", CONTENT_TYPE)
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the schema registry for " + what, e);
        }
        if (response.statusCode() == 404) {
            throw new NotFound("schema registry at " + base + " has no " + what + ": " + response.body());
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("schema registry at " + base + " refused " + what + " with HTTP "
                    + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    @Override
    public String toString() {
        return "schema registry " + base;
    }
}
