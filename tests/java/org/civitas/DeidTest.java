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

/** civitas deid run from Java: a run, a bad spec, an unsatisfiable model, with a workspace. */
class DeidTest {
  static final String SPEC = "{\"fields\": {\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": "
      + "\"quasi-identifier\", \"hierarchy\": \"age.csv\"}}, \"privacy\": {\"k\": 2}}";

  static Path data(Path dir) throws Exception {
    Files.writeString(dir.resolve("age.csv"), "34;30-39;*\n35;30-39;*\n47;40-49;*\n48;40-49;*\n");
    Path in = dir.resolve("in.csv");
    Files.writeString(in, "name,age\nAnn,34\nBob,35\nCid,47\nDan,48\n");
    return in;
  }

  @Test
  void runWritesTheOutputAndTheReport(@TempDir Path dir) throws Exception {
    Path in = data(dir);
    Path out = dir.resolve("out.csv");
    String report = Deid.run(SPEC, in, out, new Deid.Options().specDir(dir));
    assertTrue(report.contains("\"format\":\"civitas-deid-report/1\""), report);
    assertTrue(report.contains("\"levels\":{\"age\":1}"), report);
    assertEquals(List.of("age", "30-39", "30-39", "40-49", "40-49"), Files.readAllLines(out));
  }

  @Test
  void errors(@TempDir Path dir) throws Exception {
    Path in = data(dir);
    Path out = dir.resolve("x.csv");
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Deid.run("{\"fields\": {}, \"privacy\": {\"k\": 0}}", in, out, null));
    assertTrue(e.getMessage().contains("$.privacy.k"), e.getMessage());
    assertThrows(InvalidDataException.class,
        () -> Deid.run(SPEC.replace("\"k\": 2", "\"k\": 5"), in, out, new Deid.Options().specDir(dir)));
    assertFalse(Files.exists(out));
  }

  @Test
  void withAWorkspaceTheRunIsAudited(@TempDir Path dir) throws Exception {
    Path in = data(dir);
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      String report = Deid.run(ws, SPEC, in, dir.resolve("o.csv"), new Deid.Options().specDir(dir));
      assertTrue(report.contains("\"action\":\"deid.run\""), report);
    }
  }
}
