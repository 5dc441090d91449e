package dev.parapet.postgres.result;

import dev.parapet.masking.ColumnType;

/** PostgreSQL's built-in type OIDs, as masking needs to know them. */
final class PgTypes {

    static final int BOOL = 16;
    static final int BYTEA = 17;
    static final int CHAR = 18;
    static final int NAME = 19;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int TEXT = 25;
    static final int JSON = 114;
    static final int XML = 142;
    static final int CIDR = 650;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int INET = 869;
    static final int BPCHAR = 1042;
    static final int VARCHAR = 1043;
    static final int DATE = 1082;
    static final int TIME = 1083;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int NUMERIC = 1700;
    static final int UUID = 2950;
    static final int JSONB = 3802;
    static final int UNKNOWN = 705;

    private PgTypes() {
    }

    /** The masking view of a column of type {@code oid} with modifier {@code typmod}. */
    static ColumnType columnType(int oid, int typmod) {
        return switch (oid) {
            case TEXT, NAME, XML, UNKNOWN -> ColumnType.text();
            case VARCHAR -> typmod > 4 ? ColumnType.varchar(typmod - 4) : ColumnType.text();
            case BPCHAR -> typmod > 4 ? ColumnType.character(typmod - 4) : ColumnType.character(1);
            case CHAR -> ColumnType.character(1);
            case INT2 -> ColumnType.integer(2);
            case INT4 -> ColumnType.integer(4);
            case INT8 -> ColumnType.integer(8);
            case NUMERIC, FLOAT4, FLOAT8 -> ColumnType.of(ColumnType.Family.NUMERIC);
            case BOOL -> ColumnType.of(ColumnType.Family.BOOLEAN);
            case DATE -> ColumnType.of(ColumnType.Family.DATE);
            case TIME -> ColumnType.of(ColumnType.Family.TIME);
            case TIMESTAMP -> ColumnType.of(ColumnType.Family.TIMESTAMP);
            case TIMESTAMPTZ -> ColumnType.of(ColumnType.Family.TIMESTAMP_TZ);
            case UUID -> ColumnType.of(ColumnType.Family.UUID);
            case JSON, JSONB -> ColumnType.of(ColumnType.Family.JSON);
            case INET, CIDR -> ColumnType.of(ColumnType.Family.INET);
            case BYTEA -> ColumnType.of(ColumnType.Family.BYTEA);
            default -> ColumnType.of(ColumnType.Family.OTHER);
        };
    }
}
