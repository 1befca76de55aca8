package org.civitas;

import java.util.List;
import org.civitas.internal.civ_id_result;

/** The result of {@link Ids#validate}: validity, canonical form, reasons and parts. */
public final class IdResult {
  private final IdKind kind;
  private final boolean valid;
  private final String canonical;
  private final String reason;
  private final List<String> warnings;
  private final String message;
  private final IdParts parts;

  private IdResult(IdKind kind, civ_id_result r) {
    this.kind = kind;
    this.valid = r.getValid() != 0;
    this.canonical = r.getCanonical();
    this.reason = Ids.reasonName(r.getReason());
    this.warnings = Ids.warningNames(r.getWarnings());
    this.message = r.getMessage();
    this.parts = IdParts.from(r.getParts());
  }

  static IdResult from(IdKind kind, civ_id_result r) {
    return new IdResult(kind, r);
  }

  /** The identifier kind ({@code getKind().cName()} is "uscc", "orgcode", "ric" or "gb2260"). */
  public IdKind getKind() {
    return kind;
  }

  /** True when the identifier is valid (warnings allowed unless strict). */
  public boolean isValid() {
    return valid;
  }

  /** The normalised form (the 18-digit form for a legacy resident ID); may be empty. */
  public String getCanonical() {
    return canonical;
  }

  /**
   * The stable name of the first failed rule ("length", "charset", "checksum", "authority",
   * "category", "region", "date", "orgcode-checksum"), or null when valid.
   */
  public String getReason() {
    return reason;
  }

  /** Names of the soft rules that failed without making the code invalid; never null. */
  public List<String> getWarnings() {
    return warnings;
  }

  /** A human-readable explanation of the reason and warnings. */
  public String getMessage() {
    return message;
  }

  /** The parts, as far as the code could be parsed; never null. */
  public IdParts getParts() {
    return parts;
  }

  @Override
  public String toString() {
    return "IdResult{" + kind.cName() + " " + canonical + (valid ? " valid" : " invalid: " + reason)
        + (warnings.isEmpty() ? "" : " warnings=" + warnings) + ", " + parts + "}";
  }
}
