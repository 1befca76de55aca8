package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EINTERNAL}: internal error: a bug in civitas (please report it). */
public class InternalException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public InternalException(String message) {
    super(civ_error_code.CIV_EINTERNAL, message);
  }
}
