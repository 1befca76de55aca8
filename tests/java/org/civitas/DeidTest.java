package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** civitas deid run from Java: a run audited in its workspace, a bad spec, an unsatisfiable
 *  model (both audited as refusals), no workspace. */
class DeidTest {
  static final String SPEC = "{\"fields\": {\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": "
      + "\"quasi-identifier\", \"hierarchy\": \"age.csv\"}}, \"privacy\": {\"k\": 2}}";

  static Path data(Path dir) throws Exception {
    Files.writeString(dir.resolve("age.csv"), "34;30-39;*\n35;30-39;*\n47;40-49;*\n48;40-49;*\n");
    Path in = dir.resolve("in.csv");
    Files.writeString(in, "name,age\nAnn,34\nBob,35\nCid,47\nDan,48\n");
    return in;
  }

  static List<AuditEntry> runs(Workspace ws) {
    return new AuditLog(ws).query(new AuditLog.Filter().action("deid.run"));
  }

  @Test
  void runWritesTheOutputTheReportAndOneAuditEntry(@TempDir Path dir) throws Exception {
    Path in = data(dir);
    Path out = dir.resolve("out.csv");
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      String report = Deid.run(ws, SPEC, in, out, new Deid.Options().specDir(dir));
      assertTrue(report.contains("\"format\":\"civitas-deid-report/1\""), report);
      assertTrue(report.contains("\"levels\":{\"age\":1}"), report);
      assertTrue(report.contains("\"action\":\"deid.run\""), report);
      assertEquals(List.of("age", "30-39", "30-39", "40-49", "40-49"), Files.readAllLines(out));
      List<AuditEntry> e = runs(ws);
      assertEquals(1, e.size());
      assertEquals("ok", e.get(0).getOutcome());
      assertTrue(e.get(0).getDetailsJson().contains("risk_after"), e.get(0).getDetailsJson());
    }
  }

  @Test
  void errorsAreAuditedRefusals(@TempDir Path dir) throws Exception {
    Path in = data(dir);
    Path out = dir.resolve("x.csv");
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> Deid.run(ws, "{\"fields\": {}, \"privacy\": {\"k\": 0}}", in, out, null));
      assertTrue(e.getMessage().contains("$.privacy.k"), e.getMessage());
      assertThrows(InvalidDataException.class,
          () -> Deid.run(ws, SPEC.replace("\"k\": 2", "\"k\": 5"), in, out, new Deid.Options().specDir(dir)));
      assertFalse(Files.exists(out));
      List<AuditEntry> r = runs(ws);
      assertEquals(2, r.size());
      assertEquals("invalid-argument", r.get(0).getOutcome());
      assertEquals("invalid-data", r.get(1).getOutcome());
    }
  }

  @Test
  void noWorkspaceIsAnInvalidArgument(@TempDir Path dir) throws Exception {
    Path in = data(dir);
    Path out = dir.resolve("n.csv");
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Deid.run(null, SPEC, in, out, new Deid.Options().specDir(dir)));
    assertTrue(e.getMessage().contains("workspace"), e.getMessage());
    assertFalse(Files.exists(out));
  }
}
