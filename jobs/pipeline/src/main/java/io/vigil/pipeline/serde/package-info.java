/**
 * Hand-written Flink serializers for the raw records that cross the keyed shuffles into attribution and
 * wait in its state: {@link io.vigil.records.Flow} (also inside attribution's FlowLookup)
 * and {@link io.vigil.records.GpuSample}. Flink's generic {@code AvroSerializer} for them was about a
 * quarter of the pipeline's execution samples (bench/profiles/2026-11-28-jfr.md): Avro's datum reader and
 * writer walk the schema per record, with zig-zag varints and a union branch per optional field. These
 * write each field in a fixed order and width, strings with Flink's {@code StringValue}, and a bit per
 * field that may be absent.
 *
 * <p>And for the partial windows that cross the shuffles by job and are the per-job windows' state:
 * {@link io.vigil.pipeline.serde.JobContactsSerializer} (a job's contacts) and
 * {@link io.vigil.pipeline.serde.WindowAccumulatorSerializer} (a job's window, its contacts, GPUs and sketches).
 * Flink's POJO serializer for them built every nested object before reading a field and set each by reflection:
 * with every flow and sample folded before the shuffle, these were most of what the per-job stages did
 * (BENCHMARKS.md). Their maps and lists are read back as Flink's serializers read them, in the same order, and a
 * test per serializer fills every field of every class it writes, by reflection, and reads it back.
 *
 * <p>{@link io.vigil.pipeline.serde.RecordTypes} is where the pipeline gets their {@code TypeInformation}
 * (and the factories behind the {@code @TypeInfo} annotations on POJO fields of these types). The
 * records' Avro schemas (schemas/src/main/avro) stay what they are on Kafka and in files; this is only
 * Flink's in-flight and in-state form. A field added to flow.avsc or gpu_sample.avsc must be added here
 * too, under a new {@link io.vigil.pipeline.serde.RecordSerializerSnapshot#VERSION} (a test that lists the
 * schemas' fields fails until it is).
 */
package io.vigil.pipeline.serde;
