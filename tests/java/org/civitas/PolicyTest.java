package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy from Java: checks with JSON paths, grading, record and decide with typed results. */
class PolicyTest {
  static final String CODE = "102/000001";
  static final String TAX = "11350100MB00000012";
  static final String SCAN = "{\"columns\":[{\"name\":\"who\",\"type\":\"person_name\",\"ratio\":1,\"confidence\":1,"
      + "\"category\":null,\"level\":null,\"source\":\"detected\"},{\"name\":\"born\",\"type\":\"birth_date\","
      + "\"ratio\":1,\"confidence\":1,\"category\":null,\"level\":null,\"source\":\"detected\"}],\"level\":null}";

  @Test
  void theBundledPolicyIsValidAndABrokenOneListsEveryProblem() {
    String def = Policy.defaultPolicy();
    CheckReport ok = Policy.check(def);
    assertTrue(ok.isValid(), ok.toJson());
    String bad = def.replace("\"threshold\": 0.05", "\"threshold\": 7").replace("\"tier\": \"important\"", "\"tier\": \"x\"");
    CheckReport r = Policy.check(bad);
    assertFalse(r.isValid());
    List<CheckReport.Problem> ps = r.getProblems();
    assertTrue(ps.stream().anyMatch(p -> p.getPath().equals("/risk/threshold")), r.toJson());
    assertTrue(ps.stream().anyMatch(p -> p.getPath().equals("/levels/1/tier")), r.toJson());
    assertFalse(Policy.check("{").isValid());
  }

  @Test
  void gradingFillsCategoryAndLevel() {
    Policy.Grading g = Policy.grade(null, SCAN);
    assertEquals("general-2", g.getLevel());
    assertEquals("personal-basic", g.getColumns().get(0).getCategory());
    assertEquals("detected", g.getColumns().get(1).getSource());
    assertThrows(InvalidDataException.class, () -> Policy.grade(null, "{\"columns\":1}"));
    assertThrows(ParseException.class, () -> Policy.grade(null, "{"));
  }

  @Test
  void recordAndDecide(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      Catalog.add(ws, SchemaTest.ENTRY);  // sharing unconditional, open none
      Policy.Decision d = Policy.decide(ws, CODE, TAX, "监管", false);
      assertFalse(d.isAllowed());
      assertEquals("none", d.getLevelSource());
      assertNull(d.getLevel());
      Policy.Classification c = Policy.record(ws, CODE, SCAN, null);
      assertEquals(1, c.getSeq());
      assertEquals("general-2", c.getLevel());
      assertTrue(c.getPolicyDigest().startsWith("sha256:"));
      d = Policy.decide(ws, CODE, TAX, "监管", false);
      assertEquals("allow_with_obligations", d.getDecision(), d.toJson());
      assertEquals("conditional", d.getType());  // the policy's general-2 rule is stricter than the catalog
      assertEquals("unconditional", d.getCatalogType());
      assertEquals(2, d.getFields().size());
      assertNull(d.getRiskThreshold());
      Policy.Decision o = Policy.decide(ws, CODE, TAX, "开放", true);
      assertEquals("deny", o.getDecision());  // the catalog says none
      assertEquals(0.05, o.getRiskThreshold());
      assertThrows(InvalidArgumentException.class, () -> Policy.decide(ws, CODE, "x", "p", false));
      assertThrows(NotFoundException.class, () -> Policy.decide(ws, "999/000009", TAX, "p", false));
      assertThrows(ParseException.class, () -> Policy.decide(ws, CODE, TAX, "p", false, "{", null));
      assertEquals(5, new AuditLog(ws).query(new AuditLog.Filter().action("policy.decide")).size());
    }
  }
}
