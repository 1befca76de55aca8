package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EEXISTS}: the thing to be created already exists. */
public class AlreadyExistsException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public AlreadyExistsException(String message) {
    super(civ_error_code.CIV_EEXISTS, message);
  }
}
