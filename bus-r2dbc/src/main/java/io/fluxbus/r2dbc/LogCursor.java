package io.fluxbus.r2dbc;

/**
 * A position in the log: the appending transaction's id (an unsigned 64-bit {@code xid8}, kept as its decimal
 * text) and the row's position. Rows are read in this order, which every reader agrees on.
 *
 * @param tx the transaction id, as text
 * @param position the row's position within the log
 */
record LogCursor(String tx, long position) implements Comparable<LogCursor> {

  /** Before every row. */
  static final LogCursor START = new LogCursor("0", 0);

  @Override
  public int compareTo(LogCursor other) {
    int byTransaction = Long.compareUnsigned(Long.parseUnsignedLong(tx), Long.parseUnsignedLong(other.tx));
    return byTransaction != 0 ? byTransaction : Long.compare(position, other.position);
  }
}
