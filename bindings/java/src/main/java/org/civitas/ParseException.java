package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EPARSE}: malformed input data (CSV, JSON, tables…); the message names the place. */
public class ParseException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public ParseException(String message) {
    super(civ_error_code.CIV_EPARSE, message);
  }
}
