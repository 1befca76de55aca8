package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_ENOMEM}: the native library ran out of memory. */
public class CivitasOutOfMemoryException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public CivitasOutOfMemoryException(String message) {
    super(civ_error_code.CIV_ENOMEM, message);
  }
}
