package org.civitas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Every broken rule of a table schema ({@link Schema#check}) or a catalog entry
 * ({@link Catalog#check}): valid or not, each problem with its JSON pointer and message, and
 * for a valid catalog entry its resource code. Immutable. {@link #toJson()} is the C API's
 * document {@code {"version":1,"valid":…,"problems":[{"path","message"}…],"resourceCode"?}}.
 */
public final class CheckReport {
  private static final String WHAT = "check report";

  /** One broken rule. */
  public static final class Problem {
    private final String path;
    private final String message;

    Problem(String path, String message) {
      this.path = path;
      this.message = message;
    }

    /** JSON pointer of the member concerned ("" for the whole document), e.g. "/fields/2/type". */
    public String getPath() {
      return path;
    }

    /** What is wrong. */
    public String getMessage() {
      return message;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Problem && ((Problem) o).path.equals(path) && ((Problem) o).message.equals(message);
    }

    @Override
    public int hashCode() {
      return path.hashCode() * 31 + message.hashCode();
    }

    @Override
    public String toString() {
      return (path.isEmpty() ? "" : path + ": ") + message;
    }
  }

  private final String json;
  private final boolean valid;
  private final List<Problem> problems;
  private final String resourceCode;

  private CheckReport(String json, Map<String, Object> o) {
    this.json = json;
    this.valid = JsonDoc.bool(o, "valid", WHAT);
    List<Problem> ps = new ArrayList<>();
    for (Map<String, Object> p : JsonDoc.objects(o, "problems", WHAT)) {
      ps.add(new Problem(JsonDoc.str(p, "path", WHAT), JsonDoc.str(p, "message", WHAT)));
    }
    this.problems = Collections.unmodifiableList(ps);
    this.resourceCode = JsonDoc.optStr(o, "resourceCode", WHAT);
  }

  /**
   * Reads the document of {@link #toJson()}.
   *
   * @throws ParseException when it is not such a document
   */
  public static CheckReport fromJson(String json) {
    return new CheckReport(json, JsonDoc.object(json, WHAT));
  }

  /** True when no rule is broken. */
  public boolean isValid() {
    return valid;
  }

  /** The broken rules, in document order (unmodifiable; empty when valid). */
  public List<Problem> getProblems() {
    return problems;
  }

  /** The resource code of a valid catalog entry; null otherwise (and for schemas). */
  public String getResourceCode() {
    return resourceCode;
  }

  /** The report as the C API returned it. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckReport && ((CheckReport) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "CheckReport{" + (valid ? "valid" : problems.size() + " problems: " + problems) + "}";
  }
}
