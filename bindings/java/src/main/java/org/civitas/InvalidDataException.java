package org.civitas;

import org.civitas.internal.civ_error_code;

/** {@code CIV_EINVALIDDATA}: data breaks the rules it is checked against. */
public class InvalidDataException extends CivitasException {
  private static final long serialVersionUID = 1L;

  private final String report;

  public InvalidDataException(String message) {
    this(message, null);
  }

  /** With the validation report of a package refused for its records. */
  public InvalidDataException(String message, String report) {
    super(civ_error_code.CIV_EINVALIDDATA, message);
    this.report = report;
  }

  /**
   * For a package refused because its records break their schema (creating or opening it):
   * the whole validation report as JSON (docs/formats/validation-report.md), every error and
   * not only the first that the message names; null otherwise.
   */
  public String report() {
    return report;
  }
}
