// A vendor's integration of civitas (example): the HR software a vendor sells to the
// human-resources bureau receives the bureau's employment table, checks it, and keeps what it
// needs without keeping resident IDs or phone numbers in clear.
//
//   java -cp target/classes:civitas.jar com.example.vendor.EmploymentSync DATA_DIR
//
// DATA_DIR holds employment.csv, employment.schema.json and employment.catalog.json
// (examples/data: a synthetic table, realistic, generated, no real person). Steps: the catalog
// entry is valid; the file is valid against its Table Schema (resident IDs, USCCs and
// division codes checked by civitas); each resident ID becomes an identity key (the same
// person, the same key, in every system of the department; not reversible); the phone
// numbers are encrypted, each bound to its record; the batch is signed with the workspace's
// key and verified. Exit status 0 when every step did what it should.
package com.example.vendor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.civitas.Catalog;
import org.civitas.CheckReport;
import org.civitas.Civitas;
import org.civitas.Crypto;
import org.civitas.IdKind;
import org.civitas.IntegrityException;
import org.civitas.Schema;
import org.civitas.ValidationError;
import org.civitas.ValidationReport;
import org.civitas.Workspace;

public final class EmploymentSync {
  private static final String HRSS = "11350100003001527P";  // the bureau (made up)
  private static final String RESOURCE = "105002001/000031";

  private EmploymentSync() {}

  /** The values of one column of a CSV without quoted values (the bundled table has none). */
  static List<String> column(List<String> lines, String name) {
    int i = Arrays.asList(lines.get(0).split(",", -1)).indexOf(name);
    if (i < 0) throw new IllegalArgumentException("no column " + name);
    List<String> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) out.add(line.split(",", -1)[i]);
    return out;
  }

  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 ? args[0] : ".");
    System.out.println("civitas " + Civitas.version());
    String entry = Files.readString(data.resolve("employment.catalog.json"));
    String schema = Files.readString(data.resolve("employment.schema.json"));
    Path table = data.resolve("employment.csv");

    CheckReport check = Catalog.check(entry);
    System.out.println("catalog entry " + check.getResourceCode() + ": valid=" + check.isValid());
    ValidationReport report = Schema.validate(table, schema);
    System.out.println(table.getFileName() + ": valid=" + report.isValid() + ", errors=" + report.getErrorCount());
    for (ValidationError e : report.getAllErrors()) {
      System.out.println("  row " + e.getRowNumber() + " " + e.getFieldName() + ": " + e.getType());
    }
    if (!check.isValid() || !report.isValid()) System.exit(1);

    List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
    List<String> records = column(lines, "record_id");
    String[] rics = column(lines, "ric").toArray(new String[0]);
    String[] phones = column(lines, "phone").toArray(new String[0]);
    String[] ids = records.toArray(new String[0]);

    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);  // a vendor's service takes it from its KMS
    Path dir = Files.createTempDirectory("civitas-vendor");
    boolean ok = true;
    try (Workspace ws = Workspace.create(dir.resolve("vendor.db"), master, new Workspace.Options().department(HRSS))) {
      Arrays.fill(master, (byte) 0);
      Crypto crypto = ws.crypto();

      // Identity keys: one per person, stable per domain, none for an invalid ID (null).
      String[] keys = crypto.identityKeys(IdKind.RIC, rics, "vendor/employment");
      long distinct = new HashSet<>(Arrays.asList(keys)).size();
      ok &= !Arrays.asList(keys).contains(null) && keys[0].equals(crypto.identityKey(IdKind.RIC, rics[0], "vendor/employment"));
      System.out.println("identity keys: " + keys.length + " (" + distinct + " distinct), e.g. " + keys[0].substring(0, 24) + "…");

      // Phone numbers encrypted, each bound to resource, field and record id.
      byte[][] sealed = crypto.encryptColumn(phones, RESOURCE, "phone", ids);
      byte[][] back = crypto.decryptColumn(sealed, RESOURCE, "phone", ids);
      ok &= new String(back[7], StandardCharsets.UTF_8).equals(phones[7]);
      System.out.println("phones encrypted: " + sealed.length + " values, " + Crypto.FIELD_OVERHEAD + " bytes overhead each");
      try {  // a ciphertext copied into another record is refused
        crypto.decryptField(sealed[0], RESOURCE, "phone", ids[1]);
        ok = false;
      } catch (IntegrityException expected) {
        System.out.println("moved to another record: refused (" + expected.getMessage() + ")");
      }

      // The batch the vendor stores, signed: identity key, record id, ciphertext length.
      StringBuilder batch = new StringBuilder();
      for (int i = 0; i < ids.length; ++i) batch.append(ids[i]).append(',').append(keys[i]).append(',').append(sealed[i].length).append('\n');
      byte[] bytes = batch.toString().getBytes(StandardCharsets.UTF_8);
      byte[] signature = crypto.sign(bytes);
      ok &= crypto.verify(bytes, signature);
      bytes[5] ^= 1;
      ok &= !crypto.verify(bytes, signature);
      System.out.println("batch signed and verified; a changed batch is refused");
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
    System.out.println(ok ? "ok" : "FAILED");
    System.exit(ok ? 0 : 1);
  }
}
