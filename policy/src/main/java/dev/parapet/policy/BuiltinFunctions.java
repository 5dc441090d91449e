package dev.parapet.policy;

import java.util.Set;

/**
 * Built-in PostgreSQL and MySQL functions whose result is computed from their arguments alone:
 * they read no table, so a value they return is derived from exactly what their arguments are
 * derived from. A function not listed here (a user-defined function, an extension's, a catalog
 * function that runs a query given as text such as {@code query_to_xml}) may read anything, so the
 * output lineage marks what it returns as {@link OutputColumn.Kind#UNKNOWN}.
 *
 * <p>The list only has to be right in one direction: leaving out a harmless function costs a
 * content scan in the gateway, listing one that reads tables would hide a source.
 */
final class BuiltinFunctions {

    private static final Set<String> ARGUMENT_ONLY = Set.of(
            // syntax JSqlParser reads as calls
            "any", "all", "some", "rollup", "cube", "grouping sets", "row", "array", "grouping",
            // conditional and comparison
            "coalesce", "nullif", "greatest", "least", "if", "ifnull", "isnull", "nvl", "nvl2", "iif", "elt",
            "field", "interval", "num_nulls", "num_nonnulls",
            // strings
            "lower", "upper", "lcase", "ucase", "initcap", "substr", "substring", "substring_index", "mid", "left",
            "right", "concat", "concat_ws", "trim", "ltrim", "rtrim", "btrim", "lpad", "rpad", "replace",
            "translate", "overlay", "insert", "repeat", "reverse", "split_part", "strpos", "position", "locate",
            "instr", "length", "char_length", "character_length", "octet_length", "bit_length", "ascii", "ord",
            "chr", "char", "format", "quote_ident", "quote_literal", "quote_nullable", "quote", "regexp_replace",
            "regexp_substr", "regexp_match", "regexp_matches", "regexp_like", "regexp_instr", "regexp_count",
            "regexp_split_to_array", "regexp_split_to_table", "string_to_array", "string_to_table",
            "array_to_string", "starts_with", "to_char", "to_number", "to_date", "to_timestamp", "to_hex",
            "md5", "sha1", "sha2", "sha224", "sha256", "sha384", "sha512", "crc32", "encode", "decode", "hex",
            "unhex", "to_base64", "from_base64", "convert", "convert_from", "convert_to", "soundex",
            "difference", "space", "strcmp", "unaccent", "normalize", "casefold", "uuid", "gen_random_uuid",
            "uuid_generate_v4", "collation", "charset", "weight_string", "bin", "oct", "conv", "export_set",
            "make_set", "find_in_set", "inet_aton", "inet_ntoa", "text", "varchar", "string",
            // numbers
            "abs", "ceil", "ceiling", "floor", "round", "trunc", "truncate", "mod", "div", "power", "pow", "sqrt",
            "cbrt", "exp", "ln", "log", "log10", "log2", "sign", "pi", "degrees", "radians", "sin", "cos", "tan",
            "asin", "acos", "atan", "atan2", "cot", "random", "rand", "setseed", "width_bucket", "scale",
            "gcd", "lcm", "factorial", "format_bytes", "pg_size_pretty",
            // dates and times
            "now", "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
            "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "date_trunc",
            "date_part", "date_bin", "extract", "age", "make_date", "make_time", "make_timestamp",
            "make_timestamptz", "make_interval", "justify_days", "justify_hours", "justify_interval",
            "isfinite", "curdate", "curtime", "sysdate", "utc_date", "utc_time", "utc_timestamp", "date",
            "time", "timestamp", "year", "month", "day", "dayofmonth", "dayofweek", "dayofyear", "dayname",
            "monthname", "hour", "minute", "second", "microsecond", "week", "weekday", "weekofyear", "quarter",
            "yearweek", "last_day", "date_add", "date_sub", "adddate", "subdate", "addtime", "subtime",
            "datediff", "timediff", "timestampadd", "timestampdiff", "date_format", "time_format",
            "str_to_date", "from_unixtime", "unix_timestamp", "from_days", "to_days", "to_seconds",
            "sec_to_time", "time_to_sec", "makedate", "maketime", "period_add", "period_diff",
            "convert_tz", "get_format",
            // aggregates
            "count", "sum", "avg", "min", "max", "string_agg", "array_agg", "group_concat", "listagg",
            "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor", "stddev", "stddev_pop",
            "stddev_samp", "std", "variance", "var_pop", "var_samp", "covar_pop", "covar_samp", "corr",
            "regr_slope", "regr_intercept", "regr_count", "regr_r2", "regr_avgx", "regr_avgy", "regr_sxx",
            "regr_syy", "regr_sxy", "percentile_cont", "percentile_disc", "mode", "any_value",
            "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "json_arrayagg", "json_objectagg",
            "xmlagg", "range_agg", "range_intersect_agg",
            // window functions
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
            "first_value", "last_value", "nth_value",
            // JSON
            "to_json", "to_jsonb", "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object",
            "json_build_array", "jsonb_build_array", "json_object", "jsonb_object", "json_array",
            "json_extract_path", "json_extract_path_text", "jsonb_extract_path", "jsonb_extract_path_text",
            "json_array_elements", "jsonb_array_elements", "json_array_elements_text",
            "jsonb_array_elements_text", "json_each", "jsonb_each", "json_each_text", "jsonb_each_text",
            "json_object_keys", "jsonb_object_keys", "json_array_length", "jsonb_array_length", "json_typeof",
            "jsonb_typeof", "json_strip_nulls", "jsonb_strip_nulls", "jsonb_set", "jsonb_set_lax",
            "jsonb_insert", "jsonb_pretty", "jsonb_path_query", "jsonb_path_query_array",
            "jsonb_path_query_first", "jsonb_path_exists", "jsonb_path_match", "json_populate_record",
            "jsonb_populate_record", "json_to_record", "jsonb_to_record", "json_to_recordset",
            "jsonb_to_recordset", "json_scalar", "json_serialize", "json_extract", "json_unquote",
            "json_contains", "json_contains_path", "json_keys", "json_length", "json_type", "json_valid",
            "json_quote", "json_merge_patch", "json_merge_preserve", "json_remove", "json_replace",
            "json_set", "json_insert", "json_search", "json_value", "json_query", "json_exists",
            "json_pretty", "json_depth", "json_overlaps", "json_table",
            // arrays and ranges
            "unnest", "array_length", "array_lower", "array_upper", "array_ndims", "array_dims", "cardinality",
            "array_append", "array_prepend", "array_cat", "array_remove", "array_replace", "array_position",
            "array_positions", "array_fill", "trim_array", "generate_series", "generate_subscripts",
            "lower_inf", "upper_inf", "isempty", "range_merge", "int4range", "int8range", "numrange",
            "tsrange", "tstzrange", "daterange",
            // text search and XML built from arguments
            "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery",
            "ts_rank", "ts_rank_cd", "ts_headline", "setweight", "strip", "xmlelement", "xmlforest",
            "xmlconcat", "xmlattributes", "xmlparse", "xmlserialize", "xmlroot", "xpath", "xpath_exists",
            // types and sessions
            "pg_typeof", "cast", "nextval", "currval", "lastval", "setval", "last_insert_id", "row_count",
            "found_rows", "database", "schema", "current_database", "current_schema", "current_schemas",
            "current_user", "session_user", "current_role", "user", "system_user", "version",
            "connection_id", "inet_client_addr", "inet_server_addr", "pg_backend_pid");

    private BuiltinFunctions() {
    }

    /**
     * Whether {@code name} (lower-cased, as {@link StatementInfo#functions()} writes it) is a
     * built-in whose result depends on its arguments alone. A PostgreSQL {@code pg_catalog.}
     * prefix names the same built-in; any other schema names a function of its own.
     */
    static boolean argumentOnly(String name) {
        String bare = name.startsWith("pg_catalog.") ? name.substring("pg_catalog.".length()) : name;
        return ARGUMENT_ONLY.contains(bare);
    }
}
