package dev.parapet.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a mask rule asks of a statement's results, in the words of the policy file; the masking
 * layer turns it into per-column actions. Values are masked for the identity the statement runs
 * for (a mask rule never applies to the groups it names under {@code clear-for}).
 *
 * @param ruleId the rule that asks for masking
 * @param strategies the strategy per data class where the rule overrides the class's default
 *     ({@code email -> partial}, {@code phone -> keyed-hash}, {@code card-number -> fixed:XXXX})
 * @param columns columns the rule classifies itself ({@code table.column} or
 *     {@code schema.table.column}) with a data class, {@code scan} (look for sensitive values
 *     inside) or {@code none} (not sensitive)
 * @param detect whether columns are also classified by their names and text scanned for
 *     sensitive values without configuration
 * @param denyPredicates whether statements that filter, join, group or sort on a sensitive column
 *     are refused (such conditions reveal masked values by inference: {@code WHERE email LIKE
 *     'a%'})
 */
public record MaskingDirective(String ruleId, Map<String, String> strategies, Map<String, String> columns,
        boolean detect, boolean denyPredicates) {

    public MaskingDirective(String ruleId, Map<String, String> strategies, Map<String, String> columns, boolean detect) {
        this(ruleId, strategies, columns, detect, false);
    }

    /** The data classes a policy can name, as written in policy files. */
    public static final List<String> CLASSES = List.of("email", "phone", "national-id", "card-number", "iban", "secret",
            "address", "birth-date", "person-name", "ip-address");

    /** The strategies a policy can name ({@code fixed:VALUE} besides). */
    public static final Set<String> STRATEGIES = Set.of("redact", "partial", "keyed-hash", "nullify");

    public MaskingDirective {
        strategies = Map.copyOf(strategies);
        columns = Map.copyOf(columns);
    }
}
