package org.civitas;

import org.civitas.internal.CivitasNative;

/** Library-wide facts: the version of the native civitas library. */
public final class Civitas {
  private Civitas() {}

  /** The native library's version, e.g. "0.1.0" (civ_version()). */
  public static String version() {
    return CivitasNative.civ_version();
  }

  /** The version as major*10000 + minor*100 + patch (civ_version_number()). */
  public static int versionNumber() {
    return CivitasNative.civ_version_number();
  }
}
