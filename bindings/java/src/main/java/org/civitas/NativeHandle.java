package org.civitas;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.LongToIntFunction;

/**
 * Base class of the objects that own a C handle ({@code civ_ctx}, {@code civ_package_writer},
 * …). Close them with try-with-resources; {@link #close()} calls the handle's
 * {@code civ_*_free} exactly once, and a handle that becomes unreachable unclosed is freed by
 * a Cleaner as a safety net.
 *
 * <p>A subclass passes the pointer from the C constructor and a static free function, and
 * reaches the pointer only through {@link #call} or {@link #use}, which keep the object
 * reachable for the duration of the native call:
 *
 * <pre>{@code
 * public final class Workspace extends NativeHandle {
 *   public static Workspace open(String path) {
 *     long[] out = new long[1];
 *     Errors.check(CivitasNative.civ_ctx_open(out, path));
 *     return new Workspace(out[0]);
 *   }
 *   private Workspace(long ptr) { super(ptr, CivitasNative::civ_ctx_free, "Workspace"); }
 *   public void flush() { Errors.check(call(p -> CivitasNative.civ_ctx_flush(p))); }
 * }
 * }</pre>
 *
 * Thread safety follows the C handle's; closing while another thread uses the handle is a
 * caller error.
 */
public abstract class NativeHandle implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** Holds the pointer; must not refer to the NativeHandle, or the Cleaner never runs. */
  private static final class Releaser implements Runnable {
    private volatile long ptr;
    private final LongConsumer free;

    Releaser(long ptr, LongConsumer free) {
      this.ptr = ptr;
      this.free = free;
    }

    @Override
    public void run() {
      long p = ptr;
      ptr = 0;
      if (p != 0) {
        free.accept(p);
      }
    }
  }

  private final Releaser releaser;
  private final Cleaner.Cleanable cleanable;
  private final String what;

  /**
   * @param ptr  the handle from the C constructor (not 0)
   * @param free its {@code civ_*_free} function; a static method reference, never a lambda
   *             capturing this object
   * @param what the class name used in messages ("Workspace")
   */
  protected NativeHandle(long ptr, LongConsumer free, String what) {
    if (ptr == 0) {
      throw new InvalidArgumentException(what + ": null handle");
    }
    this.what = what;
    this.releaser = new Releaser(ptr, Errors.requireArg(free, "free"));
    this.cleanable = CLEANER.register(this, releaser);
  }

  /** Runs a native call that returns a C return code with the live pointer. */
  protected final int call(LongToIntFunction op) {
    try {
      return op.applyAsInt(ptr());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** Runs op with the live pointer and returns its result. */
  protected final <R> R use(LongFunction<R> op) {
    try {
      return op.apply(ptr());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** The pointer; throws IllegalStateException once closed. Prefer {@link #call}. */
  protected final long ptr() {
    long p = releaser.ptr;
    if (p == 0) {
      throw new IllegalStateException(what + " is closed");
    }
    return p;
  }

  /** True once {@link #close()} has run. */
  public final boolean isClosed() {
    return releaser.ptr == 0;
  }

  /** Frees the native handle; idempotent and thread-safe. */
  @Override
  public void close() {
    cleanable.clean();
  }
}
