/**
 * Dynamic masking of result values: deciding which columns hold sensitive data, finding sensitive
 * values inside text, and replacing them with values that stay valid for the column's type. Knows
 * nothing of wire protocols or SQL parsing: the protocol layers hand it column metadata and cell
 * bytes (text format, UTF-8) and get back what to send instead.
 *
 * <p>Public surface:
 * <ul>
 *   <li>{@link dev.parapet.masking.DataClass}: the kinds of sensitive value, each with a default
 *       {@link dev.parapet.masking.MaskStrategy} ({@code Redact}, {@code Partial},
 *       {@code KeyedHash} under a {@link dev.parapet.masking.MaskingKey}, {@code Nullify},
 *       {@code Fixed}).</li>
 *   <li>{@link dev.parapet.masking.ColumnClassifier}: a column's class from its name and
 *       {@link dev.parapet.masking.ColumnType}, with no configuration.</li>
 *   <li>{@link dev.parapet.masking.ContentScanner}: the {@link dev.parapet.masking.Finding}s in a
 *       text cell (e-mail, phone, card, SSN, IBAN, IP, secrets), behind a one-pass pre-filter.</li>
 *   <li>{@link dev.parapet.masking.CellMasker}: the per-cell entry point; given a
 *       {@link dev.parapet.masking.MaskAction} ({@code WholeValue}, {@code ScanContent}, or
 *       {@code JsonFields} for JSON made from whole rows) it answers with a
 *       {@link dev.parapet.masking.MaskedCell} ({@code UNCHANGED}, {@code NULL} or
 *       {@code Replaced}).</li>
 * </ul>
 * Everything else (the pre-filter, the detectors, the typed, JSON and JSON-field masks,
 * pseudonyms) is package-private.
 */
package dev.parapet.masking;
