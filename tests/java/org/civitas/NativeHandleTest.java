package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The handle pattern, with a fake free function standing in for civ_*_free. */
class NativeHandleTest {
  static final ConcurrentLinkedQueue<Long> FREED = new ConcurrentLinkedQueue<>();

  static void fakeFree(long ptr) {
    FREED.add(ptr);
  }

  static final class Fake extends NativeHandle {
    Fake(long ptr) {
      super(ptr, NativeHandleTest::fakeFree, "Fake");
    }

    long peek() {
      return use(p -> p);
    }

    int op() {
      return Errors.check(call(p -> p == 42 ? 0 : -7));
    }
  }

  @Test
  void closeFreesExactlyOnce() {
    Fake f = new Fake(1001);
    assertFalse(f.isClosed());
    assertEquals(1001, f.peek());
    f.close();
    f.close();
    assertTrue(f.isClosed());
    assertEquals(1, FREED.stream().filter(p -> p == 1001).count());
  }

  @Test
  void tryWithResourcesClosesAndUseAfterCloseThrows() {
    Fake escaped;
    try (Fake f = new Fake(42)) {
      assertEquals(0, f.op());
      escaped = f;
    }
    assertTrue(FREED.contains(42L));
    IllegalStateException e = assertThrows(IllegalStateException.class, escaped::peek);
    assertEquals("Fake is closed", e.getMessage());
  }

  @Test
  void callTurnsCodesIntoExceptions() {
    try (Fake f = new Fake(7)) {
      assertThrows(IntegrityException.class, f::op);
    }
  }

  @Test
  void aNullHandleIsRejected() {
    assertThrows(InvalidArgumentException.class, () -> new Fake(0));
  }

  @Test
  void anUnreachableHandleIsFreedByTheCleaner() throws InterruptedException {
    List<Long> ptrs = new ArrayList<>();
    for (long p = 5000; p < 5010; p++) {
      new Fake(p); // never closed
      ptrs.add(p);
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!FREED.containsAll(ptrs) && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertTrue(FREED.containsAll(ptrs), "freed: " + FREED);
  }
}
