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
        assertThat(bench.customerRow.length).isBetween(280, 320);
        var customerRow = new ObjectMapper().readTree(((MaskedCell.Replaced) bench.rowToJsonCustomer()).text());
        assertThat(customerRow.get("full_name").asText()).isEqualTo("A*** L***");
        assertThat(customerRow.get("email").asText()).isEqualTo("****@example.com");
        assertThat(customerRow.get("phone").asText()).isEqualTo("+* *** *** 1234");
        assertThat(customerRow.get("date_of_birth").asText()).isEqualTo("1990-**-**");
        assertThat(customerRow.get("street").asText()).isEqualTo("****");
        assertThat(customerRow.get("city").asText()).isEqualTo("Paris");
        assertThat(bench.productRow.length).isBetween(280, 320);
        assertThat(bench.rowToJsonProduct()).isSameAs(MaskedCell.UNCHANGED);
    }
}
