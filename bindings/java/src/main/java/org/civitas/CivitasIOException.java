package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EIO}: file or operating-system error. */
public class CivitasIOException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public CivitasIOException(String message) {
    super(civ_error_code.CIV_EIO, message);
  }
}
