package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_ETRUNCATED}: input ends early. */
public class TruncatedException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public TruncatedException(String message) {
    super(civ_error_code.CIV_ETRUNCATED, message);
  }
}
