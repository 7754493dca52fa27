package io.vigil.models.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JobHistoryTest {

    private static final JobHistory LEARNED = JobHistory.of(
            42, 40, "3fa2c1d0", new float[] {7.6f, 0.95f, 0f}, new float[] {0.1f, 0.02f, 0f}, new float[] {0f, 3.5f, 0f
            });

    @Test
    void hasNoBaselineBeforeAnyWindow() {
        JobHistory empty = JobHistory.empty();
        assertThat(empty.windows()).isZero();
        assertThat(empty.features()).isZero();
        assertThat(empty.baseline(0)).isNaN();
        assertThat(empty.baseline(29)).isNaN();
        assertThat(empty.drift(3)).isZero();
    }

    @Test
    void tellsWhatItLearned() {
        assertThat(LEARNED.windows()).isEqualTo(42);
        assertThat(LEARNED.workWindows()).isEqualTo(40);
        assertThat(LEARNED.features()).isEqualTo(3);
        assertThat(LEARNED.baseline(1)).isEqualTo(0.95f);
        assertThat(LEARNED.scale(0)).isEqualTo(0.1f);
        assertThat(LEARNED.drift(1)).isEqualTo(3.5f);
        assertThat(LEARNED.featureSetHash()).isEqualTo("3fa2c1d0");
        assertThat(JobHistory.empty().featureSetHash()).isNull();
        assertThatThrownBy(() -> LEARNED.baseline(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void roundTripsThroughItsBytesExactly() {
        assertThat(JobHistory.fromBytes(LEARNED.toBytes())).isEqualTo(LEARNED);
        assertThat(JobHistory.fromBytes(JobHistory.empty().toBytes())).isSameAs(JobHistory.empty());
        assertThat(LEARNED.toBytes()).hasSize(JobHistory.byteSize(3)).hasSize(16 + 3 * 12);
        assertThat(JobHistory.empty().toBytes()).hasSize(16);
    }

    @Test
    void readsTheFormerByteFormAsAHistoryWhoseEveryWindowWasAtWork() {
        // version 1: no work windows in the header
        byte[] v2 = LEARNED.toBytes();
        ByteBuffer v1 = ByteBuffer.allocate(v2.length - 4);
        v1.put((byte) 'J').put((byte) 1).putInt(42).put(v2, 10, v2.length - 10);
        JobHistory read = JobHistory.fromBytes(v1.array());
        assertThat(read.windows()).isEqualTo(42);
        assertThat(read.workWindows()).isEqualTo(42);
        assertThat(read.featureSetHash()).isEqualTo("3fa2c1d0");
        assertThat(read.baseline(0)).isEqualTo(7.6f);
        assertThat(read.drift(1)).isEqualTo(3.5f);
        assertThat(JobHistory.fromBytes(new byte[] {'J', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
                .isSameAs(JobHistory.empty());
    }

    @Test
    void countsWorkWindowsAmongTheWindows() {
        float[] one = new float[1];
        assertThat(JobHistory.of(3, "3fa2c1d0", one, one, one).workWindows()).isEqualTo(3);
        assertThatThrownBy(() -> JobHistory.of(3, 4, "3fa2c1d0", one, one, one))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history of 3 windows, 4 of them at work: not a share of them");
        byte[] bytes = LEARNED.toBytes();
        ByteBuffer.wrap(bytes).putInt(6, -1);
        assertThatThrownBy(() -> JobHistory.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history of 42 windows, -1 of them at work: not a share of them");
    }

    @Test
    void isImmutable() {
        float[] location = {1f};
        JobHistory history = JobHistory.of(1, "3fa2c1d0", location, new float[1], new float[1]);
        location[0] = 2f;
        assertThat(history.baseline(0)).isEqualTo(1.0);
    }

    @Test
    void refusesNoBytes() {
        assertThatThrownBy(() -> JobHistory.fromBytes(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history bytes are null");
        assertThatThrownBy(() -> JobHistory.fromBytes(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history bytes are empty");
    }

    @Test
    void refusesBytesThatAreNotAJobHistory() {
        byte[] json = "{\"windows\":3}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JobHistory.fromBytes(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a job history: first byte is 0x7B, a job history starts with 0x4A ('J')");
    }

    @Test
    void refusesAnotherFormatVersion() {
        byte[] bytes = LEARNED.toBytes();
        bytes[1] = 3;
        assertThatThrownBy(() -> JobHistory.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history format version 3, this build reads versions 1 and 2");
    }

    @Test
    void refusesTruncatedBytes() {
        byte[] bytes = LEARNED.toBytes();
        assertThatThrownBy(() -> JobHistory.fromBytes(Arrays.copyOf(bytes, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history truncated: 5 bytes, its header alone takes 16");
        assertThatThrownBy(() -> JobHistory.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history truncated: 51 bytes, its 3 features need 52");
    }

    @Test
    void refusesAFeatureCountThatDoesNotMatchTheBytes() {
        byte[] bytes = LEARNED.toBytes();
        ByteBuffer.wrap(bytes).putShort(10, (short) 2);
        assertThatThrownBy(() -> JobHistory.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "job history of 2 features takes 40 bytes, got 52: the feature count is wrong or bytes follow it");
    }

    @Test
    void refusesANegativeWindowCount() {
        byte[] bytes = LEARNED.toBytes();
        ByteBuffer.wrap(bytes).putInt(2, -1);
        assertThatThrownBy(() -> JobHistory.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history with a negative window count: -1");
    }

    @Test
    void refusesFeaturesWithoutWindows() {
        byte[] bytes = LEARNED.toBytes();
        ByteBuffer.wrap(bytes).putInt(2, 0).putInt(6, 0);
        assertThatThrownBy(() -> JobHistory.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "job history of 0 windows and 3 features: a history has features exactly when it has learned a window");
    }

    @Test
    void refusesValuesNoDetectorWrites() {
        byte[] nanLocation = LEARNED.toBytes();
        ByteBuffer.wrap(nanLocation).putFloat(16 + 4, Float.NaN);
        assertThatThrownBy(() -> JobHistory.fromBytes(nanLocation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history: feature 1 has location NaN");
        byte[] negativeScale = LEARNED.toBytes();
        ByteBuffer.wrap(negativeScale).putFloat(16 + 12, -1f);
        assertThatThrownBy(() -> JobHistory.fromBytes(negativeScale))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history: feature 0 has scale -1.0, not a finite non-negative number");
        byte[] infiniteDrift = LEARNED.toBytes();
        ByteBuffer.wrap(infiniteDrift).putFloat(16 + 24 + 8, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> JobHistory.fromBytes(infiniteDrift))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job history: feature 2 has drift Infinity, not a finite non-negative number");
    }

    @Test
    void refusesAFeatureSetHashThatIsNotOne() {
        assertThatThrownBy(() -> JobHistory.of(1, "v1-3fa2c1d0", new float[1], new float[1], new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("feature-set hash must be 8 lower-case hex digits: v1-3fa2c1d0");
        for (String notOne : new String[] {"3FA2C1D0", "3fa2c1d", "3fa2c1d0a", "3fa2c1dg", ""}) {
            assertThatThrownBy(() -> JobHistory.of(1, notOne, new float[1], new float[1], new float[1]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void namesItsFeatureSetWithTheLeadingZeros() {
        assertThat(JobHistory.of(1, "0000a0f1", new float[1], new float[1], new float[1])
                        .featureSetHash())
                .isEqualTo("0000a0f1");
        assertThat(JobHistory.of(1, "ffffffff", new float[1], new float[1], new float[1])
                        .featureSetHash())
                .isEqualTo("ffffffff");
    }

    @Test
    void refusesArraysOfDifferentLengths() {
        assertThatThrownBy(() -> JobHistory.of(1, "3fa2c1d0", new float[2], new float[2], new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("location, scale and drift must have one value per feature: 2, 2, 1");
    }
}
