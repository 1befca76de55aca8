package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java front end of the audited operations (docs/development.md, "Audited operations"):
 * through the C API, package create and open (a refusal included) and a key rotation each
 * leave their audit entry, written by the workspace operation itself. A refused open consumes
 * no sequence number.
 */
class AuditedTest {
  static final String TAX = "91350100M000100Y43";
  static final String MARKET = "911100001000000248";
  static final SecureRandom RNG = new SecureRandom();

  @TempDir Path dir;

  static Workspace make(Path dir, String name, String dept) {
    byte[] key = new byte[32];
    RNG.nextBytes(key);
    return Workspace.create(dir.resolve(name + ".db"), key, new Workspace.Options().department(dept));
  }

  static List<String> outcomes(Workspace ws, String action) {
    return new AuditLog(ws).query(new AuditLog.Filter().action(action)).stream()
        .map(AuditEntry::getOutcome).collect(Collectors.toList());
  }

  static List<AuditEntry> entries(Workspace ws, String action) {
    return new AuditLog(ws).query(new AuditLog.Filter().action(action));
  }

  @Test
  void rotationIsRecorded() {
    try (Workspace ws = make(dir, "w", TAX)) {
      String id = ws.rotate(Workspace.Purpose.TOKEN);
      List<AuditEntry> e = entries(ws, "key.rotate");
      assertEquals(1, e.size());
      assertEquals(id, e.get(0).getResource());
      assertEquals("ok", e.get(0).getOutcome());
    }
  }

  @Test
  void packageCreateOpenAndRefusalsAreRecorded() throws IOException {
    try (Workspace tax = make(dir, "tax", TAX); Workspace market = make(dir, "market", MARKET)) {
      market.importPublic(tax.exportPublic());
      tax.importPublic(market.exportPublic());
      Path csv = dir.resolve("t.csv");
      Files.write(csv, "id,name\n1,a\n".getBytes(StandardCharsets.UTF_8));
      Path pkg = dir.resolve("p.civpkg");
      Packages.create(tax, pkg, List.of(MARKET), Map.of("t", csv), null, new Packages.Options().purpose("audit"));
      List<AuditEntry> created = entries(tax, "package.create");
      assertEquals(1, created.size());
      assertEquals("ok", created.get(0).getOutcome());
      assertEquals("audit", created.get(0).getPurpose());
      String id = created.get(0).getResource();

      byte[] data = Files.readAllBytes(pkg);
      data[(int) Packages.inspect(pkg).getHeaderBytes() + 5] ^= 1; // inside the first encrypted chunk
      Path bad = dir.resolve("bad.civpkg");
      Files.write(bad, data);
      assertThrows(IntegrityException.class, () -> Packages.open(market, bad, dir.resolve("out")));
      assertFalse(Files.exists(dir.resolve("out").resolve("data")));
      assertEquals(List.of("integrity"), outcomes(market, "package.open"));

      Packages.open(market, pkg, dir.resolve("out")); // the refusal consumed no sequence number
      assertThrows(ReplayException.class, () -> Packages.open(market, pkg, dir.resolve("out2")));
      List<AuditEntry> opened = entries(market, "package.open");
      assertEquals(List.of("integrity", "ok", "replay"),
          opened.stream().map(AuditEntry::getOutcome).collect(Collectors.toList()));
      for (AuditEntry e : opened) {
        assertEquals(id, e.getResource());
      }
    }
  }
}
