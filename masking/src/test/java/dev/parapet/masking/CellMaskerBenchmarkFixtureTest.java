package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The benchmark measures what its names say: the fixtures hold the findings they claim. */
class CellMaskerBenchmarkFixtureTest {

    @Test
    void benchmarkFixturesHoldWhatTheyClaim() throws Exception {
        CellMaskerBenchmark bench = new CellMaskerBenchmark();
        bench.setUp();
        assertThat(bench.cleanTextCell()).isSameAs(MaskedCell.UNCHANGED);
        assertThat(((MaskedCell.Replaced) bench.textCellWithEmail()).text()).endsWith("****@example.com");
        assertThat(((MaskedCell.Replaced) bench.wholeEmailColumn()).text()).isEqualTo("****@example.com");
        String json = ((MaskedCell.Replaced) bench.jsonDocumentWithTwoFindings()).text();
        assertThat(json.length()).isBetween(900, 1100);
        var customer = new ObjectMapper().readTree(json).get("customer");
        assertThat(customer.get("email").asText()).isEqualTo("****@example.com");
        assertThat(customer.get("phone").asText()).isEqualTo("+** ** **** 0958");
        String withCard = ((MaskedCell.Replaced) bench.jsonDocumentWithEmailAndCard()).text();
        assertThat(new ObjectMapper().readTree(withCard).get("customer").get("phone").asText()).isEqualTo("**** **** **** 1111");
    }
}
