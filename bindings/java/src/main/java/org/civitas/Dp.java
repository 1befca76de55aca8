package org.civitas;

import org.civitas.internal.CivitasNative;

/**
 * Differential privacy (docs/dp.md): secure discrete noise, the privacy budget of a catalog
 * dataset in a {@link Workspace}, and releases over a CSV file paid from it. Budgets and
 * releases are JSON text (docs/dp.md, "Output"; "Query JSON" for the query). A release the
 * budget cannot pay throws {@link DeniedException} and releases nothing. Thread-safe.
 */
public final class Dp {
  private Dp() {}

  /** Noise mechanisms of {@link #sample}. */
  public enum Mechanism {
    /** Discrete Laplace with scale num/den. */
    LAPLACE(1),
    /** Discrete Gaussian with sigma^2 = num/den. */
    GAUSSIAN(2);
    final int code;
    Mechanism(int code) {
      this.code = code;
    }
  }

  /** n exact samples of the mechanism with the rational parameter num/den (both positive). */
  public static long[] sample(Mechanism mechanism, long num, long den, int n) {
    if (mechanism == null) throw new IllegalArgumentException("mechanism is null");
    if (num <= 0 || den <= 0 || n < 0) throw new IllegalArgumentException("num, den must be positive, n not negative");
    long[] out = new long[n];
    Errors.check(CivitasNative.civ_deid_dp_sample(out, n, mechanism.code, num, den));
    return out;
  }

  /** Sets the total budget (decimal text) of a dataset of the workspace's catalog; returns the budget JSON. */
  public static String setBudget(Workspace workspace, String dataset, String epsilon, String delta) {
    notNull(workspace, "workspace");
    notNull(dataset, "dataset");
    notNull(epsilon, "epsilon");
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_deid_dp_budget_set(out, p, dataset, epsilon, delta == null ? "0" : delta)));
    return out[0];
  }

  /** The budget JSON of a dataset; {@link NotFoundException} when none was set. */
  public static String budget(Workspace workspace, String dataset) {
    notNull(workspace, "workspace");
    notNull(dataset, "dataset");
    String[] out = new String[1];
    Errors.check(workspace.call(p -> CivitasNative.civ_deid_dp_budget_get(out, p, dataset)));
    return out[0];
  }

  /** One release over a CSV file (header row), paid from the query's dataset; the release JSON. */
  public static String releaseCsv(Workspace workspace, String queryJson, java.nio.file.Path csv) {
    notNull(workspace, "workspace");
    notNull(queryJson, "queryJson");
    notNull(csv, "csv");
    String[] out = new String[1];
    String path = csv.toString();
    Errors.check(workspace.call(p -> CivitasNative.civ_deid_dp_release_csv(out, p, queryJson, path)));
    return out[0];
  }

  private static void notNull(Object o, String what) {
    if (o == null) throw new IllegalArgumentException(what + " is null");
  }
}
