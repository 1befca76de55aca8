package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Differential privacy from Java: samplers, a budget, a release, the refusal of overspending. */
class DpTest {
  @Test
  void laplaceSamplesHaveTheirVariance() {
    long[] v = Dp.sample(Dp.Mechanism.LAPLACE, 3, 1, 100000);
    double m = 0;
    for (long x : v) m += x;
    m /= v.length;
    double var = 0;
    for (long x : v) var += (x - m) * (x - m);
    var /= v.length - 1;
    double q = Math.exp(-1.0 / 3);
    assertTrue(Math.abs(var / (2 * q / ((1 - q) * (1 - q))) - 1) < 0.05, "variance " + var);
    assertThrows(IllegalArgumentException.class, () -> Dp.sample(Dp.Mechanism.GAUSSIAN, 0, 1, 1));
  }

  @Test
  void releasesSpendTheBudgetAndOverspendingIsDenied(@TempDir Path dir) throws Exception {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      String code = Catalog.add(ws, SchemaTest.ENTRY).getResourceCode();
      StringBuilder csv = new StringBuilder("id,age\n");
      for (int i = 0; i < 200; i++) csv.append(i).append(',').append(20 + i % 50).append('\n');
      Path file = dir.resolve("t.csv");
      Files.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
      String q = "{\"statistic\":\"count\",\"dataset\":\"" + code + "\",\"column\":\"age\",\"epsilon\":0.6,"
          + "\"max_contributions\":1,\"person\":\"id\"}";
      assertThrows(DeniedException.class, () -> Dp.releaseCsv(ws, q, file));
      assertThrows(NotFoundException.class, () -> Dp.budget(ws, code));
      assertTrue(Dp.setBudget(ws, code, "1", null).contains("\"total\":\"1\""));
      String r = Dp.releaseCsv(ws, q, file);
      assertTrue(r.contains("\"statistic\":\"count\"") && r.contains("\"release\":1"), r);
      DeniedException e = assertThrows(DeniedException.class, () -> Dp.releaseCsv(ws, q, file));
      assertTrue(e.getMessage().contains("exceeded"), e.getMessage());
      assertTrue(Dp.budget(ws, code).contains("\"releases\":1"));
      assertThrows(InvalidArgumentException.class, () -> Dp.releaseCsv(ws, "{\"statistic\":\"sum\"}", file));
    }
  }
}
