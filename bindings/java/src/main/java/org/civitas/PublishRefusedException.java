package org.civitas;

/**
 * A publication refused by {@link Publish#run} (docs/publish.md, "Refusals"): nothing was
 * written, and the refusal is in the audit log ({@code publish.run}, outcome {@code denied}).
 */
public class PublishRefusedException extends DeniedException {
  private static final long serialVersionUID = 1L;

  /** {@code policy}, {@code risk} or {@code identifier}. */
  public final String reason;
  /** The column concerned, or "". */
  public final String column;
  /** The rule: a JSON pointer into the policy, {@code /risk/threshold}, or "". */
  public final String rule;

  public PublishRefusedException(String message, String reason, String column, String rule) {
    super(message);
    this.reason = reason;
    this.column = column;
    this.rule = rule;
  }
}
