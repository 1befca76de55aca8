package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_ESIGNATURE}: bad signature. */
public class BadSignatureException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public BadSignatureException(String message) {
    super(civ_error_code.CIV_ESIGNATURE, message);
  }
}
