package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EINVAL}: invalid argument: a null or unusable parameter, unknown kind or option. */
public class InvalidArgumentException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public InvalidArgumentException(String message) {
    super(civ_error_code.CIV_EINVAL, message);
  }
}
