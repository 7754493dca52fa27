package io.vigil.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink for tests on the mini-cluster (same JVM): records land in a static list named by the test.
 * Each sink has a fresh name, so tests never see each other's records.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String name;

    public CollectingSink(String name) {
        this.name = name + "-" + System.nanoTime();
        RECEIVED.put(this.name, Collections.synchronizedList(new ArrayList<>()));
    }

    @SuppressWarnings("unchecked")
    public List<T> received() {
        synchronized (RECEIVED.get(name)) {
            return new ArrayList<>((List<T>) (List<?>) RECEIVED.get(name));
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = RECEIVED.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
