package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_ENOTFOUND}: the named thing does not exist. */
public class NotFoundException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(civ_error_code.CIV_ENOTFOUND, message);
  }
}
