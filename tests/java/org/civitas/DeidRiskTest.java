package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-identification risk and the HTML report from Java (org.civitas.DeidRisk). */
class DeidRiskTest {
  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void riskOfClassSizesFollowsArxDefinitions() {
    DeidRisk.Options o = new DeidRisk.Options();
    o.threshold = 0.25;
    o.model = "none";
    Map<String, Object> r = DeidRisk.risk(new long[] {1, 1, 2, 3, 5}, o);
    Map<String, Object> p = obj(r.get("prosecutor"));
    assertEquals(1.0, ((Number) p.get("max")).doubleValue());
    assertEquals(5.0 / 12, ((Number) p.get("average")).doubleValue(), 1e-12);
    assertEquals(7L, ((Number) p.get("records_at_risk")).longValue());
    assertEquals(2L, ((Number) r.get("sample_uniques")).longValue());
    Map<String, Object> pu = obj(DeidRisk.risk(new long[] {1, 1, 2, 3, 5}).get("population_uniques"));
    assertEquals("pitman", pu.get("model"));
    assertNull(pu.get("estimate"));  // no finite fit for five classes
    o.threshold = 3;
    assertThrows(InvalidArgumentException.class, () -> DeidRisk.risk(new long[] {1}, o));
  }

  @Test
  void riskOfACsvAndItsErrors(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("p.csv");
    Files.write(csv, "a;b\n1;x\n1;x\n2;y\n".getBytes(StandardCharsets.UTF_8));
    Map<String, Object> r = DeidRisk.riskCsv(csv, "a,b", ';', null, null);
    assertEquals(List.of(List.of(1L, 1L), List.of(2L, 1L)), r.get("class_sizes"));
    assertEquals(3L, ((Number) r.get("records")).longValue());
    assertThrows(NotFoundException.class, () -> DeidRisk.riskCsv(csv, "a,zz", ';', null, null));
    assertThrows(CivitasIOException.class, () -> DeidRisk.riskCsv(dir.resolve("none.csv"), "a"));
  }

  @Test
  void reportHtmlEscapesHostileNames() {
    String html = DeidRisk.reportHtml(
        "{\"fields\":[{\"name\":\"<script>alert(1)</script>\",\"role\":\"identifier\",\"action\":\"drop\"}]}");
    assertFalse(html.contains("<script>"));
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertThrows(ParseException.class, () -> DeidRisk.reportHtml("{nope"));
    assertThrows(InvalidArgumentException.class, () -> DeidRisk.reportHtml("[1]"));
  }
}
