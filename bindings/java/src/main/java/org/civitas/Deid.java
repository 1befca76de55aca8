package org.civitas;

import java.nio.file.Path;
import org.civitas.internal.CivitasNative;

/**
 * De-identification for open data (docs/deid.md): {@link #run} applies a spec (roles,
 * actions, hierarchies and a privacy model: k-anonymity, l-diversity, t-closeness, a
 * suppression limit; docs/formats/deid-spec.md) to a CSV file, generalising the
 * quasi-identifiers at the globally optimal levels, and returns the report as JSON text
 * (docs/formats/deid-report.md). The output is written whole or not at all. Every run is
 * audit-logged in the workspace it is given ("deid.run"). Thread-safe.
 */
public final class Deid {
  private Deid() {}

  /** Options of a run; the defaults are a ',' delimiter, UTF-8 input, suppressed records kept. */
  public static final class Options {
    private String specDir = ".";
    private char delimiter = ',';
    private String encoding = "";
    private boolean dropSuppressed = false;

    /** The folder hierarchy paths of the spec are relative to. */
    public Options specDir(Path dir) {
      this.specDir = dir.toString();
      return this;
    }

    public Options delimiter(char c) {
      this.delimiter = c;
      return this;
    }

    /** The input's encoding (utf-8, gb18030, gbk…; never guessed). */
    public Options encoding(String e) {
      this.encoding = e == null ? "" : e;
      return this;
    }

    /** Leave suppressed records out instead of writing them with every quasi-identifier '*'. */
    public Options dropSuppressed(boolean b) {
      this.dropSuppressed = b;
      return this;
    }

    String toJson() {
      return "{\"spec_dir\":" + quote(specDir) + ",\"delimiter\":" + quote(String.valueOf(delimiter))
          + ",\"encoding\":" + quote(encoding) + ",\"drop_suppressed\":" + dropSuppressed + "}";
    }
  }

  /**
   * De-identifies {@code input} into {@code output} in a workspace: every run is audit-logged
   * there as "deid.run" (spec, input and output SHA-256, the risk after; a refused run with its
   * error), and the workspace's identity and token keys serve pseudonymize, tokenize and
   * date_shift. The workspace is required.
   *
   * @return the report (JSON text)
   * @throws InvalidArgumentException without a workspace (null), or for a bad spec (the
   *     message names the JSON path)
   * @throws InvalidDataException when no transformation satisfies the model or a value is
   *     missing from its hierarchy
   */
  public static String run(Workspace workspace, String specJson, Path input, Path output, Options options) {
    if (workspace == null) {
      throw new InvalidArgumentException("Deid.run needs an open workspace: every run is audit-logged as deid.run");
    }
    notNull(specJson, "specJson");
    notNull(input, "input");
    notNull(output, "output");
    String[] out = new String[1];
    String opts = (options == null ? new Options() : options).toJson();
    Errors.check(workspace.call(p -> CivitasNative.civ_deid_run(out, p, specJson, input.toString(), output.toString(), opts)));
    return out[0];
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static void notNull(Object o, String name) {
    if (o == null) {
      throw new InvalidArgumentException(name + " must not be null");
    }
  }
}
