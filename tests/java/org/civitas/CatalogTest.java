package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Catalog entries stored, versioned, in a workspace: add, get, list, history from Java. */
class CatalogTest {
  static final String CODE = "102/000001";

  static String entry(String title) {
    return SchemaTest.ENTRY.replace("\"企业登记\"", "\"" + title + "\"");
  }

  static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void addStoresVersionsAndSkipsAnUnchangedEntry(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      String v1 = Catalog.add(ws, entry("企业登记"));
      assertTrue(v1.contains("\"resourceCode\":\"" + CODE + "\""), v1);
      assertTrue(v1.contains("\"title\":\"企业登记\",\"version\":1}"), v1);
      assertTrue(v1.contains("\"type\":\"unconditional\""), v1);  // 无条件共享, normalised
      Catalog.add(ws, entry("企业登记"));
      assertEquals(1, count(Catalog.history(ws, CODE), "\"created_ms\":"));
      String v2 = Catalog.add(ws, entry("企业登记（二）"));
      assertTrue(v2.contains("\"version\":2}"), v2);
      String h = Catalog.history(ws, CODE);
      assertEquals(2, count(h, "\"created_ms\":"));
      assertTrue(h.indexOf("\"title\":\"企业登记\",\"version\":1}") < h.indexOf("\"version\":2}"), h);
    }
  }

  @Test
  void getLatestOrAVersionAndListTheLatestOfEach(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      assertEquals("[]", Catalog.list(ws));
      Catalog.add(ws, entry("一"));
      Catalog.add(ws, entry("二"));
      assertTrue(Catalog.get(ws, CODE).contains("\"title\":\"二\""));
      assertTrue(Catalog.get(ws, CODE, 1).contains("\"title\":\"一\""));
      String all = Catalog.list(ws);
      assertEquals(1, count(all, "\"created_ms\":"));
      assertTrue(all.contains("\"title\":\"二\",\"version\":2}"), all);
      // a stored entry exports and imports back to itself
      String stored = Catalog.get(ws, CODE);
      for (Catalog.Format f : Catalog.Format.values()) {
        assertEquals(stored, Catalog.importEntry(Catalog.export(stored, f), f));
      }
    }
  }

  @Test
  void missingAndInvalidAreExceptions(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      assertThrows(NotFoundException.class, () -> Catalog.get(ws, CODE));
      assertThrows(NotFoundException.class, () -> Catalog.history(ws, CODE));
      Catalog.add(ws, entry("一"));
      NotFoundException nf = assertThrows(NotFoundException.class, () -> Catalog.get(ws, CODE, 5));
      assertTrue(nf.getMessage().contains("version 5"), nf.getMessage());
      InvalidDataException bad = assertThrows(InvalidDataException.class, () -> Catalog.add(ws, "{\"version\":1}"));
      assertTrue(bad.getMessage().contains("classification"), bad.getMessage());
      assertThrows(ParseException.class, () -> Catalog.add(ws, "{"));
      assertThrows(InvalidArgumentException.class, () -> Catalog.add(null, entry("x")));
      assertThrows(InvalidArgumentException.class, () -> Catalog.get(ws, CODE, -1));
    }
    Workspace closed = Workspace.create(dir.resolve("c.db"), WorkspaceTest.randomKey(), new Workspace.Options());
    closed.close();
    assertThrows(IllegalStateException.class, () -> Catalog.list(closed));
  }
}
