package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EKEY}: wrong key, or not a civitas workspace. */
public class WrongKeyException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public WrongKeyException(String message) {
    super(civ_error_code.CIV_EKEY, message);
  }
}
