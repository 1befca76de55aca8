package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {
  @Test
  void loadsFromWhereTheTestRunAsksFor() {
    // CTest: java.tests runs without java.library.path ("jar:"), java.librarypath with it.
    String expected = System.getProperty("civitas.test.expectLoadedFrom");
    assumeTrue(expected != null, "civitas.test.expectLoadedFrom not set");
    String from = NativeLoader.loadedFrom();
    assertTrue(from.startsWith(expected), "loaded from " + from + ", expected " + expected);
  }

  @Test
  void theJarCarriesTheLibraryForThisPlatform() {
    assertEquals("/org/civitas/native/" + NativeLoader.platform() + "/" + System.mapLibraryName("civitas_jni"),
        NativeLoader.resourcePath());
    assertNotNull(NativeLoader.class.getResource(NativeLoader.resourcePath()), NativeLoader.resourcePath());
  }

  @Test
  void loadIsIdempotentAndSafeFromManyThreads() throws InterruptedException {
    int n = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> errors = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        try {
          start.await();
          NativeLoader.load();
          assertTrue(Ids.isValid("uscc", "91350100M000100Y43"));
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      });
      t.start();
      threads.add(t);
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(errors.isEmpty(), errors.toString());
    String first = NativeLoader.loadedFrom();
    NativeLoader.load();
    assertEquals(first, NativeLoader.loadedFrom());
  }
}
