package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EINVALIDDATA}: data breaks the rules it is checked against. */
public class InvalidDataException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public InvalidDataException(String message) {
    super(civ_error_code.CIV_EINVALIDDATA, message);
  }
}
