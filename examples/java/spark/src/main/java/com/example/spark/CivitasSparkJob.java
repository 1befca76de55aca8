// A Spark job in Java with civitas in the executors (issue 16, docs/spark.md "Java").
//
//   spark-submit --class com.example.spark.CivitasSparkJob --jars civitas.jar job.jar \
//       IN.csv COLUMN KIND DOMAIN WORKSPACE KEY_FILE OUT_DIR
//
// Reads IN.csv (header row), validates COLUMN as identifiers of KIND and adds their identity
// keys in DOMAIN: COLUMN_valid, COLUMN_reason (the CLI's reason code, empty when valid) and
// COLUMN_ik (empty for an invalid identifier). Writes OUT_DIR as CSV and prints a summary.
//
// Each executor JVM loads civitas.jar's native library itself (the jar carries it) and opens
// the workspace once, read-only and without audit (Workspace.openReadOnly), from its path and
// the path of the key file: the key never travels in a closure, and no executor writes the
// workspace (many executors read it at once; none records its own audit entries). Rows cross
// into civitas a partition chunk at a time (Ids.reasonsMany and Crypto.identityKeys over
// 10,000 values), not one call per row. The driver, the one process that opens the workspace
// read-write, writes the one audit entry for the job before it runs.
package com.example.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.civitas.AuditLog;
import org.civitas.IdKind;
import org.civitas.Ids;
import org.civitas.Workspace;

public final class CivitasSparkJob {
  private CivitasSparkJob() {}

  private static final int CHUNK = 10_000;

  /** The workspace of this executor JVM, opened once (read-only, without audit) from its
   *  path and key file. */
  static final class Executor {
    private static Workspace ws;
    private static String opened;

    static synchronized Workspace workspace(String path, String keyFile) throws Exception {
      if (ws == null || !(path + "\n" + keyFile).equals(opened)) {
        ws = Workspace.openReadOnly(Paths.get(path), readKey(Paths.get(keyFile)));
        opened = path + "\n" + keyFile;
      }
      return ws;
    }
  }

  /** The master key from a key file: 32 raw bytes, or 64 hex characters (as --key-file). */
  static byte[] readKey(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    String t = new String(b, StandardCharsets.ISO_8859_1).trim();
    if (t.length() == 64 && t.matches("[0-9a-fA-F]+")) {
      byte[] k = new byte[32];
      for (int i = 0; i < 32; ++i) k[i] = (byte) Integer.parseInt(t.substring(2 * i, 2 * i + 2), 16);
      return k;
    }
    if (b.length == 32) return b;
    throw new IllegalArgumentException("key file " + file + " holds neither 32 raw bytes nor 64 hex characters");
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: CivitasSparkJob IN.csv COLUMN KIND DOMAIN WORKSPACE KEY_FILE OUT_DIR");
      System.exit(2);
    }
    final String in = args[0], column = args[1], domain = args[3];
    final String workspace = Paths.get(args[4]).toAbsolutePath().toString();
    final String keyFile = Paths.get(args[5]).toAbsolutePath().toString();
    final IdKind kind = IdKind.fromName(args[2]);
    SparkSession spark = SparkSession.builder().appName("civitas-spark-job").getOrCreate();
    Dataset<Row> df = spark.read().option("header", "true").csv(in);
    final int index = java.util.Arrays.asList(df.columns()).indexOf(column);
    if (index < 0) throw new IllegalArgumentException("no column " + column + " in " + in);
    StructType schema = df.schema()
        .add(column + "_valid", DataTypes.BooleanType)
        .add(column + "_reason", DataTypes.StringType)
        .add(column + "_ik", DataTypes.StringType);
    final int width = df.columns().length;

    MapPartitionsFunction<Row, Row> fn = rows -> {
      Workspace ws = Executor.workspace(workspace, keyFile);
      List<Row> out = new ArrayList<>();
      List<Row> chunk = new ArrayList<>(CHUNK);
      while (rows.hasNext()) {
        chunk.add(rows.next());
        if (chunk.size() == CHUNK || !rows.hasNext()) {
          String[] codes = new String[chunk.size()];
          for (int i = 0; i < codes.length; ++i) {
            Object v = chunk.get(i).get(index);
            codes[i] = v == null ? "" : v.toString();
          }
          String[] reasons = Ids.reasonsMany(kind, codes);
          String[] keys = ws.crypto().identityKeys(kind, codes, domain);
          for (int i = 0; i < codes.length; ++i) {
            Object[] v = new Object[width + 3];
            for (int c = 0; c < width; ++c) v[c] = chunk.get(i).get(c);
            v[width] = reasons[i] == null;
            v[width + 1] = reasons[i];
            v[width + 2] = keys[i];
            out.add(RowFactory.create(v));
          }
          chunk.clear();
        }
      }
      return out.iterator();
    };
    Dataset<Row> result = df.mapPartitions(fn, ExpressionEncoder.apply(schema));

    // The driver's one audit entry for the job (read-write: the executors' handles are
    // read-only and record nothing).
    try (Workspace ws = Workspace.open(Paths.get(workspace), readKey(Paths.get(keyFile)))) {
      String user = System.getProperty("user.name", "spark");
      new AuditLog(ws).append(new AuditLog.Event(ws.info().getDepartment() + ":" + user, "spark.identity_keys")
          .resource(domain)
          .details("{\"column\":\"" + column + "\",\"kind\":\"" + kind.cName() + "\"}"));
    }
    result.write().option("header", "true").csv(args[6]);
    long total = result.count();
    long valid = result.filter(result.col(column + "_valid")).count();
    System.out.println("rows " + total + ", valid " + valid + ", invalid " + (total - valid));
    spark.stop();
  }
}
