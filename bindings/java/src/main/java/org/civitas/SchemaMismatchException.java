package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_ESCHEMA}: data does not match its schema. */
public class SchemaMismatchException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public SchemaMismatchException(String message) {
    super(civ_error_code.CIV_ESCHEMA, message);
  }
}
