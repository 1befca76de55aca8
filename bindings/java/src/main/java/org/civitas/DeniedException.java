package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EDENIED}: refused by policy or permission. */
public class DeniedException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public DeniedException(String message) {
    super(civ_error_code.CIV_EDENIED, message);
  }
}
