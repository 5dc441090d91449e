package dev.parapet.masking;

import java.util.Objects;

/**
 * What the protocol layer knows of a result column's declared type, in terms that mean the same
 * for PostgreSQL and MySQL. The masker uses it to keep a masked value valid text for that type:
 * a masked date still parses as a date, a masked {@code varchar(10)} still fits in ten characters.
 *
 * @param family the kind of value
 * @param integerBytes for {@link Family#INTEGER}, the width in bytes (2, 4 or 8); 0 otherwise
 * @param lengthLimit for {@link Family#TEXT} and {@link Family#CHAR}, the declared length in
 *     characters ({@code varchar(n)}, {@code char(n)}); 0 when there is none
 * @param nullability whether the column can hold NULL, where the protocol says so
 */
public record ColumnType(Family family, int integerBytes, int lengthLimit, Nullability nullability) {

    /** Families of declared types, each with one text format on both protocols. */
    public enum Family {
        /** text, varchar, citext, MySQL text types, enums shown as text. */
        TEXT,
        /** Blank-padded character(n). */
        CHAR,
        /** smallint, integer, bigint and MySQL's integer types. */
        INTEGER,
        /** numeric, decimal, real, double precision, float. */
        NUMERIC,
        BOOLEAN,
        DATE,
        /** timestamp without time zone, MySQL datetime and timestamp. */
        TIMESTAMP,
        /** timestamp with time zone. */
        TIMESTAMP_TZ,
        TIME,
        UUID,
        /** json and jsonb. */
        JSON,
        /** inet (an address, with or without a prefix length). */
        INET,
        /** bytea, MySQL binary and blob types. */
        BYTEA,
        /** Anything else (arrays, xml, ranges, geometry, ...): only content scanning applies. */
        OTHER
    }

    /** Result metadata rarely says; {@link #UNKNOWN} is treated like {@link #NULLABLE}. */
    public enum Nullability {
        NULLABLE,
        NOT_NULL,
        UNKNOWN
    }

    public ColumnType {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(nullability, "nullability");
        if (family == Family.INTEGER) {
            if (integerBytes != 1 && integerBytes != 2 && integerBytes != 3 && integerBytes != 4 && integerBytes != 8) {
                throw new IllegalArgumentException("an integer is 1, 2, 3, 4 or 8 bytes wide, not " + integerBytes);
            }
        } else if (integerBytes != 0) {
            throw new IllegalArgumentException("only integers have a byte width");
        }
        if (lengthLimit < 0) {
            throw new IllegalArgumentException("negative length limit " + lengthLimit);
        }
        if (lengthLimit > 0 && family != Family.TEXT && family != Family.CHAR) {
            throw new IllegalArgumentException("only text and char columns have a length limit");
        }
    }

    public static ColumnType of(Family family) {
        if (family == Family.INTEGER) {
            return integer(8);
        }
        return new ColumnType(family, 0, 0, Nullability.UNKNOWN);
    }

    /** Text with no length limit. */
    public static ColumnType text() {
        return of(Family.TEXT);
    }

    /** {@code varchar(n)}: text of at most {@code n} characters. */
    public static ColumnType varchar(int n) {
        return new ColumnType(Family.TEXT, 0, n, Nullability.UNKNOWN);
    }

    /** {@code char(n)}: text blank-padded to {@code n} characters. */
    public static ColumnType character(int n) {
        return new ColumnType(Family.CHAR, 0, n, Nullability.UNKNOWN);
    }

    /** A signed integer {@code bytes} wide (MySQL's tinyint is 1 and mediumint 3). */
    public static ColumnType integer(int bytes) {
        return new ColumnType(Family.INTEGER, bytes, 0, Nullability.UNKNOWN);
    }

    public ColumnType withNullability(Nullability value) {
        return new ColumnType(family, integerBytes, lengthLimit, value);
    }

    /** Types whose values are free text that content scanning can look into. */
    public boolean isTextual() {
        return family == Family.TEXT || family == Family.CHAR || family == Family.JSON || family == Family.OTHER;
    }
}
