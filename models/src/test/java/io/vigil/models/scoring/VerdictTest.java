package io.vigil.models.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Category;
import io.vigil.records.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerdictTest {

    @ParameterizedTest
    @CsvSource({
        "0.40, NETWORK_SCAN, LOW",
        "0.55, NETWORK_SCAN, LOW",
        "0.70, NETWORK_SCAN, MEDIUM",
        "0.95, NETWORK_SCAN, HIGH",
        "0.55, REVERSE_TUNNEL, MEDIUM",
        "0.95, EXFILTRATION, CRITICAL",
        "0.70, CRYPTO_MINING, MEDIUM",
        "0.70, UNKNOWN, MEDIUM"
    })
    void ratesSeverityByMarginAndLeadingCategory(double score, Category category, Severity expected) {
        assertThat(Verdict.severity(score, 0.5, List.of(category))).isEqualTo(expected);
    }

    @Test
    void raisesSeverityWhenKindsOfMisuseCorroborateEachOther() {
        assertThat(Verdict.severity(0.7, 0.5, List.of(Category.CRYPTO_MINING, Category.NETWORK_SCAN)))
                .isEqualTo(Severity.HIGH);
        assertThat(Verdict.severity(0.95, 0.5, List.of(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING)))
                .isEqualTo(Severity.CRITICAL);
        assertThat(Verdict.severity(0.7, 0.5, List.of(Category.CRYPTO_MINING, Category.UNKNOWN)))
                .isEqualTo(Severity.MEDIUM);
    }

    @Test
    void measuresTheMarginAgainstTheRoomAboveTheThreshold() {
        assertThat(Verdict.severity(0.97, 0.9, List.of(Category.NETWORK_SCAN))).isEqualTo(Severity.HIGH);
        assertThat(Verdict.severity(1.0, 1.0, List.of(Category.NETWORK_SCAN))).isEqualTo(Severity.HIGH);
    }

    @Test
    void flagsAtTheThresholdAndDerivesTheRest() {
        Verdict v = Verdict.of(0.5, 0.5, List.of(Category.NETWORK_SCAN), List.of());

        assertThat(v.flagged()).isTrue();
        assertThat(v.severity()).isEqualTo(Severity.LOW);
        assertThat(Verdict.of(0.49, 0.5, List.of(), List.of()).flagged()).isFalse();
    }

    @Test
    void refusesInconsistentVerdicts() {
        assertThatThrownBy(() -> new Verdict(1.2, 0.5, true, List.of(), List.of(), Severity.LOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Verdict(Double.NaN, 0.5, false, List.of(), List.of(), Severity.LOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Verdict(0.7, 0.5, false, List.of(), List.of(), Severity.LOW))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
