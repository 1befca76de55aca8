package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_ENOTRECIPIENT}: this party is not a recipient. */
public class NotRecipientException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public NotRecipientException(String message) {
    super(civ_error_code.CIV_ENOTRECIPIENT, message);
  }
}
