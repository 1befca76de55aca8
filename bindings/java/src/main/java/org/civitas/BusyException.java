package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EBUSY}: resource busy (locked). */
public class BusyException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public BusyException(String message) {
    super(civ_error_code.CIV_EBUSY, message);
  }
}
