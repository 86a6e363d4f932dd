package io.fluxbus.router;

import io.fluxbus.TopicPattern;

/**
 * Questions about two patterns at once, answered on their segments without enumerating topics: whether some
 * topic matches both ({@link #intersects}), and whether every topic matching one matches the other
 * ({@link #covers}). Used to decide which engines a subscription needs and which routing rules are shadowed.
 */
final class PatternAlgebra {

  private PatternAlgebra() {}

  /** True when at least one topic matches both patterns. */
  static boolean intersects(TopicPattern a, TopicPattern b) {
    String[] x = a.value().split("\\.");
    String[] y = b.value().split("\\.");
    return intersects(x, 0, y, 0, new byte[x.length + 1][y.length + 1]);
  }

  /** True when every topic matching {@code narrow} also matches {@code wide}. */
  static boolean covers(TopicPattern wide, TopicPattern narrow) {
    String[] x = wide.value().split("\\.");
    String[] y = narrow.value().split("\\.");
    return covers(x, 0, y, 0, new byte[x.length + 1][y.length + 1]);
  }

  private static boolean intersects(String[] x, int i, String[] y, int j, byte[][] memo) {
    if (memo[i][j] != 0) {
      return memo[i][j] > 0;
    }
    boolean result;
    if (i == x.length && j == y.length) {
      result = true;
    } else if (i < x.length && x[i].equals("#")) {
      result = intersects(x, i + 1, y, j, memo) || (j < y.length && intersects(x, i, y, j + 1, memo));
    } else if (j < y.length && y[j].equals("#")) {
      result = intersects(x, i, y, j + 1, memo) || (i < x.length && intersects(x, i + 1, y, j, memo));
    } else if (i == x.length || j == y.length) {
      result = false;
    } else {
      boolean segment = x[i].equals("*") || y[j].equals("*") || x[i].equals(y[j]);
      result = segment && intersects(x, i + 1, y, j + 1, memo);
    }
    memo[i][j] = (byte) (result ? 1 : -1);
    return result;
  }

  private static boolean covers(String[] wide, int i, String[] narrow, int j, byte[][] memo) {
    if (memo[i][j] != 0) {
      return memo[i][j] > 0;
    }
    boolean result;
    if (i < wide.length && wide[i].equals("#")) {
      // '#' in the wide pattern absorbs zero or more of the narrow one's segments, wildcards included
      result = covers(wide, i + 1, narrow, j, memo) || (j < narrow.length && covers(wide, i, narrow, j + 1, memo));
    } else if (j == narrow.length) {
      result = i == wide.length;
    } else if (i == wide.length || narrow[j].equals("#")) {
      // only a '#' in the wide pattern covers any number of segments
      result = false;
    } else if (wide[i].equals("*")) {
      result = covers(wide, i + 1, narrow, j + 1, memo);
    } else {
      result = wide[i].equals(narrow[j]) && covers(wide, i + 1, narrow, j + 1, memo);
    }
    memo[i][j] = (byte) (result ? 1 : -1);
    return result;
  }
}
