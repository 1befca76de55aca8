package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EINTEGRITY}: tampered or damaged data. */
public class IntegrityException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message) {
    super(civ_error_code.CIV_EINTEGRITY, message);
  }
}
