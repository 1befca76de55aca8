package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EUNKNOWNKEY}: key not known (e.g. an unknown provider). */
public class UnknownKeyException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public UnknownKeyException(String message) {
    super(civ_error_code.CIV_EUNKNOWNKEY, message);
  }
}
