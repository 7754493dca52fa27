package io.vigil.records.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A Confluent Schema Registry on 127.0.0.1 (ephemeral port) that speaks just the two REST calls framing
 * uses, as Confluent documents them:
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} with {@code {"schema": "<schema JSON as a string>"}}
 *       answers {@code {"id": N}}. Ids are global: the same schema gets the same id under any subject,
 *       and registering it again is a no-op that returns the same id.</li>
 *   <li>{@code GET /schemas/ids/{id}} answers {@code {"schema": "..."}}, or HTTP 404 with
 *       {@code {"error_code": 40403, "message": "Schema not found"}}.</li>
 * </ul>
 * Everything else is 404 (40401 for an unknown subject route, 404 otherwise); a schema that is not
 * Avro is 422 (42201). Constructed with credentials, it requires HTTP Basic auth and answers 401 without.
 * It counts requests so tests can check a client's caching.
 */
public final class FakeSchemaRegistry implements AutoCloseable {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions/?");
    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(-?\\d{1,10})/?");

    private final HttpServer server;
    private final String requiredAuthorization;

    private final Object lock = new Object();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();
    private int nextId;

    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger registrations = new AtomicInteger();
    private final AtomicInteger lookups = new AtomicInteger();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A registry that asks for no credentials and numbers schemas from 1. */
    public FakeSchemaRegistry() {
        this(null, null, 1);
    }

    /** A registry that answers only requests with HTTP Basic auth for this user and password. */
    public static FakeSchemaRegistry withBasicAuth(String user, String password) {
        return new FakeSchemaRegistry(user, password, 1);
    }

    /** A registry whose first schema gets this id (a real registry's ids are rarely 1, 2, 3). */
    public static FakeSchemaRegistry withIdsFrom(int firstId) {
        return new FakeSchemaRegistry(null, null, firstId);
    }

    private FakeSchemaRegistry(String user, String password, int firstId) {
        this.nextId = firstId;
        this.requiredAuthorization = user == null
                ? null
                : "Basic "
                        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** The registry's base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Registers a schema as a POST would, without a request (not counted): for messages a test crafts. */
    public int register(String subject, Schema schema) {
        return registerText(subject, schema.toString());
    }

    /** The id of the latest schema under a subject, or -1 when the subject has none. */
    public int latestId(String subject) {
        synchronized (lock) {
            List<Integer> ids = idsBySubject.get(subject);
            return ids == null || ids.isEmpty() ? -1 : ids.get(ids.size() - 1);
        }
    }

    public Set<String> subjects() {
        synchronized (lock) {
            return new LinkedHashSet<>(idsBySubject.keySet());
        }
    }

    /** The schema text stored under an id, or null. */
    public String schemaText(int id) {
        synchronized (lock) {
            return schemaById.get(id);
        }
    }

    /** All HTTP requests received, answered or refused. */
    public int requestCount() {
        return requests.get();
    }

    /** {@code POST /subjects/.../versions} requests received. */
    public int registrationRequests() {
        return registrations.get();
    }

    /** {@code GET /schemas/ids/...} requests received. */
    public int schemaLookups() {
        return lookups.get();
    }

    /** The Authorization header of each request, in order; null where a request had none. */
    public List<String> authorizationHeaders() {
        return new ArrayList<>(authorizations);
    }

    /** Stops answering; the port refuses connections from now on. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
        }
    }

    // ---- the HTTP side ----

    private void handle(HttpExchange exchange) throws IOException {
        try {
            requests.incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization);
            if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
                error(exchange, 401, 40101, "Unauthorized");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            Matcher register = REGISTER.matcher(path);
            Matcher byId = BY_ID.matcher(path);
            if (register.matches()) {
                registrations.incrementAndGet();
                if (!method.equals("POST")) {
                    error(exchange, 405, 405, "HTTP 405 Method Not Allowed");
                    return;
                }
                handleRegister(exchange, URLDecoder.decode(register.group(1), StandardCharsets.UTF_8), body);
            } else if (byId.matches()) {
                lookups.incrementAndGet();
                if (!method.equals("GET")) {
                    error(exchange, 405, 405, "HTTP 405 Method Not Allowed");
                    return;
                }
                handleLookup(exchange, Long.parseLong(byId.group(1)));
            } else if (path.startsWith("/subjects/")) {
                error(exchange, 404, 40401, "Subject not found");
            } else {
                error(exchange, 404, 404, "HTTP 404 Not Found");
            }
        } catch (RuntimeException e) {
            error(exchange, 500, 50001, "fake registry failed: " + e);
        } finally {
            exchange.close();
        }
    }

    private void handleRegister(HttpExchange exchange, String subject, byte[] body) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            error(exchange, 400, 400, "Unrecognized request body: " + e.getMessage());
            return;
        }
        if (request == null || !request.path("schema").isTextual()) {
            error(exchange, 422, 42201, "Invalid schema: no \"schema\" string in the request");
            return;
        }
        String schemaType = request.path("schemaType").asText("AVRO");
        if (!schemaType.equals("AVRO")) {
            error(exchange, 422, 42201, "Invalid schema: this fake registry knows only AVRO, not " + schemaType);
            return;
        }
        int id;
        try {
            id = registerText(subject, request.get("schema").textValue());
        } catch (SchemaParseException e) {
            error(exchange, 422, 42201, "Invalid schema: " + e.getMessage());
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("id", id);
        respond(exchange, 200, answer);
    }

    private void handleLookup(HttpExchange exchange, long id) throws IOException {
        String text = id > Integer.MAX_VALUE || id < Integer.MIN_VALUE ? null : schemaText((int) id);
        if (text == null) {
            error(exchange, 404, 40403, "Schema not found");
            return;
        }
        respond(exchange, 200, JSON.createObjectNode().put("schema", text));
    }

    private int registerText(String subject, String schemaText) {
        // Like Confluent, the same schema is one id whatever its formatting.
        String canonical = new Schema.Parser().parse(schemaText).toString();
        synchronized (lock) {
            Integer id = idBySchema.get(canonical);
            if (id == null) {
                id = nextId++;
                idBySchema.put(canonical, id);
                schemaById.put(id, canonical);
            }
            List<Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
            if (!ids.contains(id)) {
                ids.add(id);
            }
            return id;
        }
    }

    private static void error(HttpExchange exchange, int status, int errorCode, String message) throws IOException {
        respond(
                exchange,
                status,
                JSON.createObjectNode().put("error_code", errorCode).put("message", message));
    }

    private static void respond(HttpExchange exchange, int status, JsonNode answer) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
