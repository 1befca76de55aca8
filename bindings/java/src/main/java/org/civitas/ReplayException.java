package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EREPLAY}: replayed message (sequence number seen before). */
public class ReplayException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public ReplayException(String message) {
    super(civ_error_code.CIV_EREPLAY, message);
  }
}
