// Example: two departments share a table as a signed, encrypted package, with typed results.
//   java -cp civitas.jar:. SharePackage        (works in a fresh temporary directory)
// Compile: javac -cp civitas.jar SharePackage.java
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.civitas.KeyInfo;
import org.civitas.PackageHeader;
import org.civitas.PackageSummary;
import org.civitas.Packages;
import org.civitas.PeerKey;
import org.civitas.ReplayException;
import org.civitas.Schema;
import org.civitas.ValidationError;
import org.civitas.ValidationReport;
import org.civitas.Workspace;

public final class SharePackage {
  private SharePackage() {}

  static final String TAX = "91350100M000100Y43";
  static final String MARKET = "911100001000000248";
  static final String SCHEMA = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},"
      + "{\"name\":\"uscc\",\"type\":\"string\",\"civitas:identifier\":\"uscc\"}],\"primaryKey\":\"id\"}";

  static byte[] randomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);  // a service would take it from its KMS
    return k;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("civitas-example");
    boolean ok = true;
    try (Workspace tax = Workspace.create(dir.resolve("tax.db"), randomKey(), new Workspace.Options().department(TAX));
         Workspace market = Workspace.create(dir.resolve("market.db"), randomKey(),
             new Workspace.Options().department(MARKET))) {
      System.out.println("workspace " + tax.info().getWorkspaceId() + " of " + tax.info().getDepartment());
      for (KeyInfo k : tax.keys()) {
        System.out.printf("  key %s %-8s %-18s %s%n", k.getId(), k.getPurpose().cName(), k.getAlgorithm(), k.getStatus());
      }
      market.importPublic(tax.exportPublic());
      tax.importPublic(market.exportPublic());
      for (PeerKey p : market.peers(TAX)) {
        System.out.println("  market knows " + p.getDepartment() + " " + p.getPurpose().cName() + " key " + p.getKeyId());
      }

      // Validate before sending: invalid data is a report, not an exception.
      Path csv = dir.resolve("payers.csv");
      Files.write(csv, "id,uscc\n1,91350100M000100Y43\n2,91350100M000100Y44\n".getBytes(StandardCharsets.UTF_8));
      ValidationReport report = Schema.validate(csv, SCHEMA);
      for (ValidationError e : report.getAllErrors()) {
        System.out.println("  row " + e.getRowNumber() + ", " + e.getFieldName() + ": " + e.getType() + " (" + e.getNote() + ")");
      }
      ok &= !report.isValid() && report.getErrorCount() == 1;
      Files.write(csv, "id,uscc\n1,91350100M000100Y43\n".getBytes(StandardCharsets.UTF_8));
      ok &= Schema.validate(csv, SCHEMA).isValid();

      Path pkg = dir.resolve("payers.civpkg");
      PackageSummary made = Packages.create(tax, pkg, List.of(MARKET), Map.of("payers", csv), SCHEMA,
          new Packages.Options().purpose("licensing").approval("APP-7"));
      System.out.println("package " + made.getPackageId() + ": " + made.getPackageBytes() + " bytes, resources "
          + made.getResourceNames());
      PackageHeader h = Packages.inspect(pkg);  // no key needed, not verified
      System.out.println("  from " + h.getProvider() + " to " + h.getConsumers() + ", sequence "
          + h.getRecipients().get(0).getSequence());
      PackageSummary opened = Packages.open(market, pkg, dir.resolve("in"));
      System.out.println("  opened: purpose " + opened.getEnvelope().getPurpose() + ", approval "
          + opened.getEnvelope().getApproval());
      ok &= Files.readString(dir.resolve("in/data/payers.csv")).contains("91350100M000100Y43");
      try {
        Packages.open(market, pkg, dir.resolve("again"));
        ok = false;
      } catch (ReplayException e) {
        System.out.println("  opening it twice -> " + e.getCodeName());
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.exit(ok ? 0 : 1);
  }
}
