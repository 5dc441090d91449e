package dev.parapet.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parapet.config.AuditSinkConfig;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * Events on standard output, one JSON line each ({@code format: json}, the default, for log
 * collectors), or indented for people reading a terminal ({@code format: pretty}).
 */
final class StdoutSink implements AuditSink {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final boolean pretty;
    private final OutputStream out;

    StdoutSink(String name, boolean pretty, OutputStream out) {
        this.name = name;
        this.pretty = pretty;
        this.out = out;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
        for (AuditEvent event : batch) {
            if (pretty) {
                out.write(PRETTY.writeValueAsBytes(PRETTY.readTree(event.json())));
            } else {
                out.write(event.json());
            }
            out.write('\n');
        }
        out.flush();
        if (out instanceof PrintStream print && print.checkError()) {
            throw new java.io.IOException("standard output cannot be written");
        }
    }

    @Override
    public void close() {
        // standard output stays open for the rest of the process
    }

    /** Makes stdout sinks. */
    public static final class Provider implements AuditSinkProvider {
        @Override
        public String type() {
            return "stdout";
        }

        @Override
        public AuditSink create(AuditSinkConfig config, AuditContext context) {
            String format = config.string("format").orElse("json");
            if (!format.equals("json") && !format.equals("pretty")) {
                throw new IllegalArgumentException("audit sink " + config.name() + ": format is json or pretty, not " + format);
            }
            return new StdoutSink(config.name(), format.equals("pretty"),
                    new java.io.BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        }
    }
}
