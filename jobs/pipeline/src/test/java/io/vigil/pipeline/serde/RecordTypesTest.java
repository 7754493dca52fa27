package io.vigil.pipeline.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.CollectingSink;
import io.vigil.pipeline.attribution.FlowLookup;
import io.vigil.pipeline.attribution.FlowLookupSerializer;
import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.detect.JobFlows;
import io.vigil.pipeline.detect.JobSignal;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.ingest.Received;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The types Flink finds for the pipeline's records use the hand-written serializers, also inside POJOs. */
class RecordTypesTest {

    @Test
    void thePipelinesTypesUseTheHandWrittenSerializers() {
        assertThat(TypeInformation.of(FlowLookup.class)).isEqualTo(FlowLookup.TYPE);
        assertThat(FlowLookup.TYPE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(FlowLookupSerializer.INSTANCE);
        assertThat(RecordTypes.FLOW.createSerializer(new SerializerConfigImpl()))
                .isSameAs(FlowSerializer.INSTANCE);
        assertThat(RecordTypes.GPU_SAMPLE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(GpuSampleSerializer.INSTANCE);

        PojoTypeInfo<Received> received = (PojoTypeInfo<Received>) TypeInformation.of(Received.class);
        assertThat(received.getTypeAt("flow")).isEqualTo(RecordTypes.FLOW);
        assertThat(received.getTypeAt("sample")).isEqualTo(RecordTypes.GPU_SAMPLE);
        // the partials that cross the shuffles by job: written field by field, their samples as above
        assertThat(TypeInformation.of(JobSignal.class).createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(FieldByFieldSerializer.class);
        assertThat(TypeInformation.of(JobFlows.class).createSerializer(new SerializerConfigImpl()))
                .isNotInstanceOf(PojoSerializer.class);
    }

    @Test
    void theAttributedRecordsTravelWithTheHandWrittenSerializersAndNoOperatorWithAvro() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectPipeline.build(
                env,
                DetectSettings.defaults(),
                new IndicatorScorer(),
                DatasetFiles.inputs(List.of(Path.of("../../replay-data/rome-2026-02"))),
                new DetectPipeline.Outputs(
                        new CollectingSink<>("alerts"), new CollectingSink<>("windows"), new CollectingSink<>("dead")));
        StreamGraph graph = env.getStreamGraph();
        List<String> attribution = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodes()) {
            List<TypeSerializer<?>> serializers = new ArrayList<>(Arrays.asList(node.getTypeSerializersIn()));
            serializers.add(node.getTypeSerializerOut());
            for (TypeSerializer<?> s : serializers) {
                if (s instanceof AvroSerializer<?> avro) {
                    assertThat(avro.getType()).as(node.getOperatorName()).isNotIn(Flow.class, GpuSample.class);
                }
            }
            if (node.getOperatorName().startsWith("Attribute flow intervals")) {
                assertThat(node.getTypeSerializersIn()[0])
                        .as(node.getOperatorName())
                        .isSameAs(FlowLookupSerializer.INSTANCE);
                attribution.add(node.getOperatorName());
            } else if (node.getOperatorName().startsWith("Pre-combine samples")) {
                // the readers' attributed samples, a side output: with the hand-written serializer too
                assertThat(node.getTypeSerializersIn()[0])
                        .as(node.getOperatorName())
                        .isSameAs(GpuSampleSerializer.INSTANCE);
                attribution.add(node.getOperatorName());
            }
        }
        assertThat(attribution).hasSize(2);
    }
}
