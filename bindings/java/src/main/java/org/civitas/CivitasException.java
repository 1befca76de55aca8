package org.civitas;

import org.civitas.internal.CivitasNative;

/**
 * A failure reported by civitas: unchecked, carrying the C ABI's error code
 * ({@code CIV_E*}, negative) and its stable name. Each code has a subclass (see
 * docs/java.md); codes newer than this jar arrive as a plain CivitasException.
 * An invalid identifier is not an exception: validation reports it in its result.
 */
public class CivitasException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;

  public CivitasException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The C ABI error code, e.g. -1 for CIV_EINVAL. */
  public int getCode() {
    return code;
  }

  /** The code's stable name from civ_error_name(), e.g. "invalid-argument". */
  public String getCodeName() {
    return CivitasNative.civ_error_name(code);
  }

  @Override
  public String toString() {
    return getClass().getName() + " [" + getCodeName() + "]: " + getMessage();
  }
}
