package io.fluxbus.redis;

/**
 * MurmurHash3 (x86, 32-bit, seed 0) of a byte array: the partition hash of keys, stable across processes, JVMs and
 * languages, unlike {@code String.hashCode}. Public-domain algorithm by Austin Appleby.
 */
final class Murmur3 {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  static int hash32(byte[] data) {
    int h = 0;
    int length = data.length;
    int blocks = length / 4;
    for (int i = 0; i < blocks; i++) {
      int k = (data[i * 4] & 0xff) | (data[i * 4 + 1] & 0xff) << 8 | (data[i * 4 + 2] & 0xff) << 16
          | (data[i * 4 + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int rest = length & 3;
    if (rest > 0) {
      int k = 0;
      if (rest == 3) {
        k ^= (data[tail + 2] & 0xff) << 16;
      }
      if (rest >= 2) {
        k ^= (data[tail + 1] & 0xff) << 8;
      }
      k ^= data[tail] & 0xff;
      h ^= mixK(k);
    }
    h ^= length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }
}
