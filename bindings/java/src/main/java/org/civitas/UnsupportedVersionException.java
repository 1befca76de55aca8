package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EVERSION}: unsupported format or schema version. */
public class UnsupportedVersionException extends CivitasException {
  private static final long serialVersionUID = 1L;

  public UnsupportedVersionException(String message) {
    super(civ_error_code.CIV_EVERSION, message);
  }
}
