package io.vigil.pipeline.attribution;

import io.vigil.pipeline.serde.FlowSerializer;
import io.vigil.pipeline.serde.FlowSerializerTest;
import io.vigil.pipeline.serde.SameFields;
import io.vigil.records.Flow;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer test suite over flow lookups: owned or not, each test flow, and none. */
class FlowLookupSerializerTest extends SerializerTestBase<FlowLookup> {

    FlowLookupSerializerTest() {
        super(SameFields.checker());
    }

    @Override
    protected TypeSerializer<FlowLookup> createSerializer() {
        return FlowLookupSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FlowLookup> getTypeClass() {
        return FlowLookup.class;
    }

    @Override
    protected FlowLookup[] getTestData() {
        Flow[] flows = FlowSerializerTest.flows();
        FlowLookup[] lookups = new FlowLookup[2 * flows.length + 1];
        for (int i = 0; i < flows.length; i++) {
            lookups[2 * i] = new FlowLookup(flows[i], false);
            lookups[2 * i + 1] = new FlowLookup(FlowSerializer.INSTANCE.copy(flows[i]), true);
        }
        lookups[lookups.length - 1] = new FlowLookup(null, true);
        return lookups;
    }
}
