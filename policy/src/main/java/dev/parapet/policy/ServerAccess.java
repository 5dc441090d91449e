package dev.parapet.policy;

/**
 * What a statement does on the database server's host rather than in the database: a policy denies
 * these separately because a statement kind alone (COPY, SELECT, LOAD) does not tell them apart
 * from the harmless forms that clients use every day.
 */
public enum ServerAccess {
    /** Reads a file on the server: {@code COPY t FROM '/path'}, MySQL {@code LOAD DATA INFILE} without LOCAL. */
    READS_FILE,
    /**
     * Makes the server ask the client for a file: MySQL {@code LOAD DATA LOCAL INFILE} and
     * {@code LOAD XML LOCAL INFILE}. The server names the file, so a server that is not the one the
     * client meant can read any file the client can; the policy engine refuses these unless a rule
     * allows them.
     */
    READS_CLIENT_FILE,
    /** Writes a file on the server: {@code COPY t TO '/path'}, MySQL {@code SELECT ... INTO OUTFILE}. */
    WRITES_FILE,
    /** Runs a program on the server: {@code COPY ... TO PROGRAM} / {@code FROM PROGRAM}. */
    RUNS_PROGRAM,
    /** Loads native code into the server: {@code LOAD 'library'}, {@code CREATE EXTENSION}, C-language functions. */
    LOADS_LIBRARY
}
