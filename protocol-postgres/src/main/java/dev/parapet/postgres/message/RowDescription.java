package dev.parapet.postgres.message;

import java.util.List;

/**
 * The shape of the rows that follow: for each column its name, the table it comes from (OID and
 * attribute number, 0 when it is computed), its type and its format (0 text, 1 binary). Masking
 * resolves column origins from it.
 */
public record RowDescription(List<Field> fields) implements BackendMessage {

    /** A row description that went by without being read (nothing needed its columns). */
    public static final RowDescription UNREAD = new RowDescription(List.of());

    public RowDescription {
        fields = List.copyOf(fields);
    }

    /** One column of a row description. */
    public record Field(String name, int tableOid, short attributeNumber, int typeOid, short typeSize,
            int typeModifier, short format) {
    }
}
