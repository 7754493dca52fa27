package io.vigil.records;

/**
 * Bounds what one Avro datum may declare. Avro's defaults let a 30-byte message declare a 2 GiB string,
 * which it then tries to allocate: an OutOfMemoryError instead of one dead letter. With these bounds a
 * corrupt length becomes Avro's SystemLimitException, which the framings turn into {@code undecodable}.
 *
 * <p>Avro reads the properties once, when its limit class loads, so they must be set before the first
 * Avro decode in the JVM: {@link io.vigil.records.RecordType} installs them when it loads, the command
 * line at start, and the test and cluster JVM options set them too. A value given on the command line
 * ({@code -Dorg.apache.avro.limits...}) wins.
 */
public final class AvroLimits {
    /** Larger than any Kafka message Vigil accepts (the broker default is 1 MiB). */
    static final String MAX_BYTES = String.valueOf(16 * 1024 * 1024);

    static final String MAX_ITEMS = String.valueOf(1_000_000);

    private AvroLimits() {}

    public static void install() {
        System.getProperties().putIfAbsent("org.apache.avro.limits.string.maxLength", MAX_BYTES);
        System.getProperties().putIfAbsent("org.apache.avro.limits.bytes.maxLength", MAX_BYTES);
        System.getProperties().putIfAbsent("org.apache.avro.limits.collectionItems.maxLength", MAX_ITEMS);
    }
}
