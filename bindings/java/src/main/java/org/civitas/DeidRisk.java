package org.civitas;

import java.nio.file.Path;
import java.util.Map;
import org.civitas.internal.CivitasNative;

/**
 * Re-identification risk and the de-identification report page (docs/deid-risk.md).
 *
 * <p>Risk is measured from the sizes of the equivalence classes of the quasi-identifiers:
 * prosecutor, journalist and marketer risk as ARX defines them, sample uniques and the
 * population uniqueness estimated with Pitman's model. Results are the RISK object of
 * docs/formats/deid-risk.md as a map (numbers as {@code Long} or {@code Double}; a
 * population-uniqueness estimate without a fit is {@code null}). All methods are thread-safe.
 */
public final class DeidRisk {
  private DeidRisk() {}

  /** Options of the risk measures. */
  public static final class Options {
    /** A record is at risk when its risk exceeds this (0.2). */
    public double threshold = 0.2;
    /** Population size for the uniqueness model; 0 = from {@link #samplingFraction}. */
    public double populationSize = 0;
    /** Records / population when {@link #populationSize} is 0 (0.01). */
    public double samplingFraction = 0.01;
    /** "pitman" (default) or "none". */
    public String model = "pitman";
  }

  /** As {@link #risk(long[], Options)} with the default options. */
  public static Map<String, Object> risk(long[] classSizes) {
    return risk(classSizes, new Options());
  }

  /**
   * The RISK object of a release whose equivalence classes have these sizes (zeros ignored).
   *
   * @throws InvalidArgumentException for a bad threshold, fraction or model
   */
  public static Map<String, Object> risk(long[] classSizes, Options options) {
    Errors.requireArg(classSizes, "classSizes");
    Options o = options == null ? new Options() : options;
    String[] out = new String[1];
    Errors.check(CivitasNative.civj_deid_risk(out, classSizes, classSizes.length, o.threshold, o.populationSize,
        o.samplingFraction, o.model));
    return JsonDoc.object(out[0], "risk");
  }

  /**
   * Risk of a CSV file's quasi-identifier columns: {@code {"risk": RISK, "class_sizes": [[size,
   * count], …], "records": n, "classes": n}}.
   *
   * @param qi the column names, comma-separated ("age,sex,zip")
   * @param delimiter the CSV delimiter (',' by default)
   * @param encoding the input encoding (null = UTF-8)
   * @throws NotFoundException naming an unknown column; CivitasIOException when unreadable;
   *     ParseException for a file that is not CSV in its encoding
   */
  public static Map<String, Object> riskCsv(Path path, String qi, char delimiter, String encoding, Options options) {
    Errors.requireArg(path, "path");
    Errors.requireArg(qi, "qi");
    Options o = options == null ? new Options() : options;
    String[] out = new String[1];
    Errors.check(CivitasNative.civj_deid_risk_csv(out, path.toString(), qi, delimiter, encoding, o.threshold,
        o.populationSize, o.samplingFraction, o.model));
    return JsonDoc.object(out[0], "risk");
  }

  /** As {@link #riskCsv(Path, String, char, String, Options)}: comma-separated UTF-8, default options. */
  public static Map<String, Object> riskCsv(Path path, String qi) {
    return riskCsv(path, qi, ',', null, null);
  }

  /**
   * A de-identification report (JSON text, docs/formats/deid-report.md) as one self-contained
   * HTML page: inline CSS and SVG, no script, nothing loaded from the network; every text
   * from the report escaped.
   *
   * @throws ParseException when the report is not JSON; InvalidArgumentException when it is not an object
   */
  public static String reportHtml(String reportJson) {
    Errors.requireArg(reportJson, "reportJson");
    String[] out = new String[1];
    Errors.check(CivitasNative.civj_deid_report_html(out, reportJson));
    return out[0];
  }
}
