package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Catalog entries stored, versioned, in a workspace: add, get, list, history from Java. */
class CatalogTest {
  static final String CODE = "102/000001";

  static String entry(String title) {
    return SchemaTest.ENTRY.replace("\"企业登记\"", "\"" + title + "\"");
  }

  @Test
  void addStoresVersionsAndSkipsAnUnchangedEntry(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      long before = System.currentTimeMillis();
      CatalogRecord v1 = Catalog.add(ws, entry("企业登记"));
      assertEquals(CODE, v1.getResourceCode(), v1.toJson());
      assertEquals(1, v1.getVersion());
      assertEquals("企业登记", v1.getTitle());
      assertTrue(v1.getCreatedMillis() >= before - 1000 && v1.getCreatedMillis() <= System.currentTimeMillis() + 1000,
          v1.toJson());
      assertEquals("unconditional", v1.getEntry().getSharingType());  // 无条件共享, normalised
      assertEquals(CODE, v1.getEntry().getResourceCode());
      assertEquals(v1, CatalogRecord.fromJson(v1.toJson()));
      Catalog.add(ws, entry("企业登记"));
      assertEquals(1, Catalog.history(ws, CODE).size());
      CatalogRecord v2 = Catalog.add(ws, CatalogEntry.fromJson(entry("企业登记（二）")));
      assertEquals(2, v2.getVersion());
      List<CatalogRecord> h = Catalog.history(ws, CODE);
      assertEquals(2, h.size());
      assertEquals(1, h.get(0).getVersion());
      assertEquals("企业登记", h.get(0).getTitle());
      assertEquals(v2, h.get(1));
    }
  }

  @Test
  void getLatestOrAVersionAndListTheLatestOfEach(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(), new Workspace.Options())) {
      assertEquals(List.of(), Catalog.list(ws));
      Catalog.add(ws, entry("一"));
      Catalog.add(ws, entry("二"));
      assertEquals("二", Catalog.get(ws, CODE).getTitle());
      assertEquals("一", Catalog.get(ws, CODE, 1).getTitle());
      List<CatalogRecord> all = Catalog.list(ws);
      assertEquals(1, all.size());
      assertEquals("二", all.get(0).getTitle());
      assertEquals(2, all.get(0).getVersion());
      assertEquals(Catalog.get(ws, CODE), all.get(0).getEntry());
      // a stored entry exports and imports back to itself
      CatalogEntry stored = Catalog.get(ws, CODE);
      for (Catalog.Format f : Catalog.Format.values()) {
        assertEquals(stored, Catalog.importEntry(Catalog.export(stored, f), f));
      }
    }
  }

  @Test
  void entryFieldsAreTyped() {
    CatalogEntry e = CatalogEntry.fromJson(SchemaTest.ENTRY);
    assertEquals("", e.getResourceCode(), "not given in the input");
    assertEquals("企业登记", e.getTitle());
    assertEquals("企业基本信息", e.getAbstract());
    assertEquals("数据局", e.getProviderName());
    assertEquals("91110108MA01ABCD5T", e.getProviderUscc());
    assertEquals(List.of("csv"), e.getFormats());
    assertEquals(1, e.getItems().size());
    assertEquals("代码", e.getItems().get(0).getName());
    assertEquals("C", e.getItems().get(0).getDataType());
    assertEquals(Long.valueOf(18), e.getItems().get(0).getLength());
    assertEquals("无条件共享", e.getSharingType(), "as given: normalisation is the library's");
    assertEquals(List.of("api"), e.getSharingModes());
    assertEquals("none", e.getOpenType());
    assertEquals("daily", e.getUpdateCycle());
    assertEquals("2024-01-01", e.getIssued());
    assertEquals("", e.getModified());
    assertEquals(List.of(), e.getKeywords());
    assertEquals(SchemaTest.ENTRY, e.toJson());
    assertEquals(e, CatalogEntry.fromJson(e.toJson()));
    CatalogEntry n = Catalog.importEntry(Catalog.export(e, Catalog.Format.CKAN), Catalog.Format.CKAN);
    assertEquals(CODE, n.getResourceCode());
    assertEquals("unconditional", n.getSharingType());
    assertThrows(ParseException.class, () -> CatalogEntry.fromJson("[]"));
    assertThrows(ParseException.class, () -> CatalogEntry.fromJson("{\"title\":1}"));
    assertThrows(ParseException.class, () -> CatalogRecord.fromJson("{\"resourceCode\":\"x\"}"));
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
