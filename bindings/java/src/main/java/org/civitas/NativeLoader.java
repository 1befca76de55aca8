package org.civitas;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.CivitasNativeConstants;

/**
 * Loads the JNI library {@code civitas_jni} once per class loader, thread-safely. Every
 * class of the binding triggers it; calling {@link #load()} early only moves the cost.
 *
 * <p>Order, first success wins:
 * <ol>
 *   <li>the file named by the system property {@value #PROPERTY_LIBRARY}, if set;
 *   <li>{@code System.loadLibrary("civitas_jni")}, i.e. {@code java.library.path}
 *       (skipped when {@value #PROPERTY_SKIP_LIBRARY_PATH} is {@code true});
 *   <li>the copy inside the jar, {@code /org/civitas/native/<os>-<arch>/libcivitas_jni.so},
 *       extracted to a private temporary file (in {@value #PROPERTY_TMPDIR} or
 *       {@code java.io.tmpdir}), loaded with {@code System.load} and deleted again.
 * </ol>
 * The loaded library must report the version this jar was built with.
 */
public final class NativeLoader {
  /** Base name of the JNI library. */
  public static final String LIBRARY = "civitas_jni";
  /** System property: absolute path of a libcivitas_jni to load instead of searching. */
  public static final String PROPERTY_LIBRARY = "civitas.jni.library";
  /** System property: "true" skips {@code java.library.path} and uses the jar's copy. */
  public static final String PROPERTY_SKIP_LIBRARY_PATH = "civitas.jni.skipLibraryPath";
  /** System property: directory the jar's copy is extracted to (must allow executables). */
  public static final String PROPERTY_TMPDIR = "civitas.jni.tmpdir";

  private enum State { NEW, LOADING, LOADED, FAILED }

  private static final Object LOCK = new Object();
  private static volatile State state = State.NEW;
  private static String loadedFrom;
  private static Throwable failure;

  private NativeLoader() {}

  /**
   * Loads the library unless it is loaded already.
   *
   * @throws UnsatisfiedLinkError when no usable library is found; later calls throw again
   */
  public static void load() {
    if (state == State.LOADED) {
      return;
    }
    synchronized (LOCK) {
      switch (state) {
        case LOADED:
        case LOADING: // re-entered on this thread by the version check below
          return;
        case FAILED:
          throw linkError("civitas: the native library failed to load earlier", failure);
        default:
          break;
      }
      state = State.LOADING;
      try {
        String from = loadLibrary();
        checkVersion(from);
        loadedFrom = from;
        state = State.LOADED;
      } catch (Throwable t) {
        failure = t;
        state = State.FAILED;
        throw t instanceof UnsatisfiedLinkError ? (UnsatisfiedLinkError) t
            : linkError("civitas: cannot load the native library", t);
      }
    }
  }

  /**
   * Where the library was loaded from: the {@value #PROPERTY_LIBRARY} path,
   * {@code "java.library.path"}, or {@code "jar:<resource>"}. Loads it first if needed.
   */
  public static String loadedFrom() {
    load();
    synchronized (LOCK) {
      return loadedFrom;
    }
  }

  /** The platform directory inside the jar, e.g. {@code linux-x86_64}. */
  public static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      os = "linux";
    } else if (os.startsWith("mac") || os.startsWith("darwin")) {
      os = "macos";
    } else if (os.startsWith("windows")) {
      os = "windows";
    } else {
      os = os.replaceAll("[^a-z0-9]", "");
    }
    if (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x64")) {
      arch = "x86_64";
    } else if (arch.equals("aarch64") || arch.equals("arm64")) {
      arch = "aarch64";
    } else {
      arch = arch.replaceAll("[^a-z0-9_]", "");
    }
    return os + "-" + arch;
  }

  /** The resource path of the library inside the jar for this platform. */
  public static String resourcePath() {
    return "/org/civitas/native/" + platform() + "/" + System.mapLibraryName(LIBRARY);
  }

  private static String loadLibrary() throws IOException {
    String explicit = System.getProperty(PROPERTY_LIBRARY);
    if (explicit != null && !explicit.isEmpty()) {
      System.load(Paths.get(explicit).toAbsolutePath().toString());
      return explicit;
    }
    UnsatisfiedLinkError pathError = null;
    if (!Boolean.getBoolean(PROPERTY_SKIP_LIBRARY_PATH)) {
      try {
        System.loadLibrary(LIBRARY);
        return "java.library.path";
      } catch (UnsatisfiedLinkError e) {
        pathError = e;
      }
    }
    String resource = resourcePath();
    try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw linkError("civitas: no native library for " + platform() + " in the jar (" + resource
            + ") and none on java.library.path", pathError);
      }
      String dirName = System.getProperty(PROPERTY_TMPDIR, System.getProperty("java.io.tmpdir"));
      Path dir = Paths.get(dirName);
      Files.createDirectories(dir);
      String name = System.mapLibraryName(LIBRARY);
      int dot = name.lastIndexOf('.');
      // Files.createTempFile: a fresh name, readable only by this user on POSIX systems.
      Path tmp = Files.createTempFile(dir, name.substring(0, dot) + "-" + CivitasNativeConstants.CIV_VERSION_STRING
          + "-", name.substring(dot));
      try {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        System.load(tmp.toAbsolutePath().toString());
      } finally {
        // The mapping outlives the file where the OS allows it (POSIX); otherwise remove on exit.
        try {
          Files.delete(tmp);
        } catch (IOException e) {
          tmp.toFile().deleteOnExit();
        }
      }
      return "jar:" + resource;
    }
  }

  private static void checkVersion(String from) {
    String have = CivitasNative.civ_version();
    String want = CivitasNativeConstants.CIV_VERSION_STRING;
    if (!want.equals(have)) {
      throw new UnsatisfiedLinkError("civitas: the native library from " + from + " is version " + have
          + " but this jar needs " + want);
    }
  }

  private static UnsatisfiedLinkError linkError(String message, Throwable cause) {
    String text = cause == null ? message : message + ": " + cause;
    UnsatisfiedLinkError e = new UnsatisfiedLinkError(text);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }
}
