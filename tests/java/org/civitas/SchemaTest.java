package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {
  static final String SCHEMA = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},"
      + "{\"name\":\"uscc\",\"type\":\"string\",\"civitas:identifier\":\"uscc\"},"
      + "{\"name\":\"name\",\"type\":\"string\",\"constraints\":{\"maxLength\":4}}],\"primaryKey\":\"id\"}";
  static final String ENTRY = "{\"version\":1,\"classification\":{\"class\":\"1\",\"item\":\"02\"},"
      + "\"sequence\":\"000001\",\"title\":\"企业登记\",\"abstract\":\"企业基本信息\","
      + "\"provider\":{\"name\":\"数据局\",\"uscc\":\"91110108MA01ABCD5T\"},\"formats\":[\"csv\"],"
      + "\"items\":[{\"name\":\"代码\",\"dataType\":\"C\",\"length\":18}],"
      + "\"sharing\":{\"type\":\"无条件共享\",\"modes\":[\"api\"]},\"open\":{\"type\":\"none\"},"
      + "\"updateCycle\":\"daily\",\"issued\":\"2024-01-01\"}";

  @Test
  void validCsvGivesValidReport() {
    ValidationReport r = Schema.validate("id,uscc,name\n1,91110108MA01ABCD5T,甲乙\n", SCHEMA);
    assertTrue(r.isValid(), r.toJson());
    assertEquals(1, r.getTaskCount());
    assertEquals(0, r.getErrorCount());
    ValidationTask t = r.getTask();
    assertTrue(t.isValid());
    assertEquals(List.of("id", "uscc", "name"), t.getLabels());
    assertEquals(1, t.getRows());
    assertEquals(3, t.getFields());
    assertFalse(t.isPartial());
    assertEquals("table", t.getType());
    assertEquals(List.of(), r.getAllErrors());
    assertEquals(r, ValidationReport.fromJson(r.toJson()));
  }

  @Test
  void errorsAreInTheReportNotExceptions() {
    ValidationReport r = Schema.validate("id,uscc,name\n1,91110108MA01ABCD5A,甲乙丙丁戊\n1,x,a\n", SCHEMA);
    assertFalse(r.isValid());
    List<ValidationError> es = r.getAllErrors();
    assertEquals(r.getErrorCount(), es.size(), r.toJson());
    assertEquals(es, r.getTask().getErrors());
    ValidationError sum = es.stream().filter(e -> e.getType().equals("identifier-checksum")).findFirst().orElseThrow();
    assertEquals(Long.valueOf(2), sum.getRowNumber());
    assertEquals("uscc", sum.getFieldName());
    assertEquals(Long.valueOf(2), sum.getFieldNumber());
    assertEquals("91110108MA01ABCD5A", sum.getCell());
    assertEquals(List.of("1", "91110108MA01ABCD5A", "甲乙丙丁戊"), sum.getCells());
    assertTrue(sum.getNote().contains("checksum"), sum.getNote());
    assertTrue(sum.getTags().contains("#cell"), sum.getTags().toString());
    assertEquals(sum, ValidationError.fromJson(sum.toJson()));
    assertTrue(es.stream().anyMatch(e -> e.getType().equals("identifier-component")));
    ValidationError pk = es.stream().filter(e -> e.getType().equals("primary-key")).findFirst().orElseThrow();
    assertEquals(Long.valueOf(3), pk.getRowNumber());
    assertEquals(null, pk.getCell(), "a row error has no cell");
    assertTrue(es.stream().anyMatch(e -> e.getNote().contains("maxLength")));
  }

  @Test
  void foreignKeysToAnotherTableAndDataPackages(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("orgs.csv"), "code,name\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("staff.csv"), "id,org\n1,1\n2,4\n3,2\n".getBytes(StandardCharsets.UTF_8));
    String staff = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},{\"name\":\"org\",\"type\":\"integer\"}],"
        + "\"foreignKeys\":[{\"fields\":[\"org\"],\"reference\":{\"resource\":\"orgs\",\"fields\":[\"code\"]}}]}";
    String orgs = "[{\"name\":\"orgs\",\"path\":\"" + dir.resolve("orgs.csv") + "\"}]";
    ValidationReport r = Schema.validate(dir.resolve("staff.csv"), staff, 0, null, orgs);
    assertFalse(r.isValid());
    ValidationError fk = r.getAllErrors().get(0);
    assertEquals("foreign-key", fk.getType(), r.toJson());
    assertEquals(Long.valueOf(3), fk.getRowNumber());
    assertTrue(fk.toJson().contains("\"referenceName\":\"orgs\""), fk.toJson());
    ValidationReport unchecked = Schema.validate(dir.resolve("staff.csv"), staff, 0, null);
    assertTrue(unchecked.isValid(), unchecked.toJson());
    assertEquals(1, unchecked.getTask().getWarnings().size(), unchecked.toJson());
    assertThrows(InvalidArgumentException.class,
        () -> Schema.validate(dir.resolve("staff.csv"), staff, 0, null, "[{\"name\":\"x\",\"path\":\"x.csv\"}]"));
    Files.write(dir.resolve("datapackage.json"), ("{\"resources\":[{\"name\":\"orgs\",\"path\":\"orgs.csv\"},"
        + "{\"name\":\"staff\",\"path\":\"staff.csv\",\"schema\":" + staff + "}]}").getBytes(StandardCharsets.UTF_8));
    ValidationReport p = Schema.validatePackage(dir.resolve("datapackage.json"));
    assertFalse(p.isValid());
    assertEquals(1, p.getTasks().size(), p.toJson());
    assertEquals("staff", p.getTasks().get(0).getName());
    assertEquals(Long.valueOf(3), p.getTasks().get(0).getErrors().get(0).getRowNumber());
    assertEquals(1, p.getWarnings().size());
    assertTrue(p.getWarnings().get(0).contains("\"orgs\" has no table schema"), p.getWarnings().toString());
    assertThrows(CivitasIOException.class, () -> Schema.validatePackage(dir.resolve("none.json")));
  }

  @Test
  void gbkFileWithDialect(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("orgs.csv");
    Files.write(csv, "id,uscc,name\n1,91110108MA01ABCD5T,数据局\n".getBytes(Charset.forName("GBK")));
    ValidationReport r = Schema.validate(csv, SCHEMA, 0, "{\"encoding\":\"gbk\"}");
    assertTrue(r.isValid(), r.toJson());
    ValidationReport bad = Schema.validate(csv, SCHEMA, 0, null);  // read as UTF-8
    assertEquals("encoding-error", bad.getAllErrors().get(0).getType(), bad.toJson());
  }

  @Test
  void limitAndBadInput() {
    ValidationReport r = Schema.validate("id\nx\nx\nx\n".getBytes(StandardCharsets.UTF_8),
        "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"}]}", 2, null);
    assertTrue(r.getTask().isPartial());
    assertEquals(2, r.getTask().getErrors().size());
    assertThrows(InvalidDataException.class, () -> Schema.validate("a\n1\n", "{\"fields\":[{\"name\":\"a\",\"type\":\"x\"}]}"));
    assertThrows(ParseException.class, () -> Schema.normalize("{"));
    assertThrows(CivitasIOException.class, () -> Schema.validate(Path.of("/nonexistent.csv"), SCHEMA));
    assertThrows(InvalidArgumentException.class, () -> Schema.check(null));
    CheckReport c = Schema.check("{\"fields\":[{\"name\":\"a\",\"type\":\"x\"}]}");
    assertFalse(c.isValid());
    assertEquals("/fields/0/type", c.getProblems().get(0).getPath(), c.toJson());
    assertNull(c.getResourceCode());
    assertEquals(c, CheckReport.fromJson(c.toJson()));
    assertTrue(Schema.check(SCHEMA).isValid());
    assertEquals(List.of(), Schema.check(SCHEMA).getProblems());
    assertThrows(ParseException.class, () -> ValidationReport.fromJson("{\"valid\":\"yes\"}"));
    assertThrows(UnsupportedVersionException.class, () -> ValidationReport.fromJson("{\"version\":2,\"valid\":true}"));
  }

  @Test
  void catalogRoundTrip() {
    CheckReport ok = Catalog.check(ENTRY);
    assertTrue(ok.isValid(), ok.toJson());
    assertEquals("102/000001", ok.getResourceCode());
    CheckReport broken = Catalog.check("{\"version\":1}");
    assertFalse(broken.isValid());
    assertTrue(broken.getProblems().size() > 1, broken.toJson());
    assertNull(broken.getResourceCode());
    assertFalse(Catalog.check("{").isValid());
    CatalogEntry norm = Catalog.importEntry(Catalog.export(ENTRY, Catalog.Format.DATAPACKAGE), null);
    for (Catalog.Format f : Catalog.Format.values()) {
      assertEquals(norm, Catalog.importEntry(Catalog.export(ENTRY, f), f));
    }
    assertThrows(InvalidDataException.class, () -> Catalog.export("{}", Catalog.Format.DCAT));
  }
}
