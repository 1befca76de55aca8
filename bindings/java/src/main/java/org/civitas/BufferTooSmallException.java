package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EBUFFER}: a buffer is too small. */
public class BufferTooSmallException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public BufferTooSmallException(String message) {
    super(civ_error_code.CIV_EBUFFER, message);
  }
}
