package io.fluxbus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The command line of a latency run ({@link HandOffLatency}, {@link PacedLatency}):
 * {@code --impl NAME [--rate N] [--warmup N] [--events N] [--out FILE]}, each defaulting to the caller's value.
 *
 * @param out where the result line is appended, or null
 */
record LatencyRun(String impl, int rate, int warmup, int events, Path out) {

  /** Reads {@code args} over the defaults given. */
  static LatencyRun parse(String[] args, String impl, int rate, int warmup, int events) {
    Path out = null;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--impl" -> impl = value;
        case "--rate" -> rate = Integer.parseInt(value);
        case "--warmup" -> warmup = Integer.parseInt(value);
        case "--events" -> events = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "'; usage: --impl NAME [--rate N] [--warmup N] [--events N] [--out FILE]");
      }
    }
    return new LatencyRun(impl, rate, warmup, events, out);
  }

  /** Prints the result line and appends it to {@link #out()} when given. */
  void report(String json) throws IOException {
    System.out.println(json);
    if (out != null) {
      Files.writeString(out, json + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }
}
