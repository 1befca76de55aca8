package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    String r = Schema.validate("id,uscc,name\n1,91110108MA01ABCD5T,甲乙\n", SCHEMA);
    assertTrue(r.contains("\"valid\":true"), r);
  }

  @Test
  void errorsAreInTheReportNotExceptions() {
    String r = Schema.validate("id,uscc,name\n1,91110108MA01ABCD5A,甲乙丙丁戊\n1,x,a\n", SCHEMA);
    assertTrue(r.contains("\"valid\":false"));
    assertTrue(r.contains("identifier-checksum"));
    assertTrue(r.contains("identifier-component"));
    assertTrue(r.contains("\"primary-key\""));
    assertTrue(r.contains("maxLength"));
  }

  @Test
  void foreignKeysToAnotherTableAndDataPackages(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("orgs.csv"), "code,name\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("staff.csv"), "id,org\n1,1\n2,4\n3,2\n".getBytes(StandardCharsets.UTF_8));
    String staff = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},{\"name\":\"org\",\"type\":\"integer\"}],"
        + "\"foreignKeys\":[{\"fields\":[\"org\"],\"reference\":{\"resource\":\"orgs\",\"fields\":[\"code\"]}}]}";
    String orgs = "[{\"name\":\"orgs\",\"path\":\"" + dir.resolve("orgs.csv") + "\"}]";
    String r = Schema.validate(dir.resolve("staff.csv"), staff, 0, null, orgs);
    assertTrue(r.contains("\"valid\":false") && r.contains("\"type\":\"foreign-key\"") && r.contains("\"rowNumber\":3"), r);
    String unchecked = Schema.validate(dir.resolve("staff.csv"), staff, 0, null);
    assertTrue(unchecked.contains("\"valid\":true") && unchecked.contains("warnings"), unchecked);
    assertThrows(InvalidArgumentException.class,
        () -> Schema.validate(dir.resolve("staff.csv"), staff, 0, null, "[{\"name\":\"x\",\"path\":\"x.csv\"}]"));
    Files.write(dir.resolve("datapackage.json"), ("{\"resources\":[{\"name\":\"orgs\",\"path\":\"orgs.csv\"},"
        + "{\"name\":\"staff\",\"path\":\"staff.csv\",\"schema\":" + staff + "}]}").getBytes(StandardCharsets.UTF_8));
    String p = Schema.validatePackage(dir.resolve("datapackage.json"));
    assertTrue(p.contains("\"name\":\"staff\"") && p.contains("\"referenceName\":\"orgs\"")
        && p.contains("\"rowNumber\":3") && p.contains("\"orgs\\\" has no table schema"), p);
    assertThrows(CivitasIOException.class, () -> Schema.validatePackage(dir.resolve("none.json")));
  }

  @Test
  void gbkFileWithDialect(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("orgs.csv");
    Files.write(csv, "id,uscc,name\n1,91110108MA01ABCD5T,数据局\n".getBytes(Charset.forName("GBK")));
    String r = Schema.validate(csv, SCHEMA, 0, "{\"encoding\":\"gbk\"}");
    assertTrue(r.contains("\"valid\":true"), r);
    String bad = Schema.validate(csv, SCHEMA, 0, null);  // read as UTF-8
    assertTrue(bad.contains("encoding-error"), bad);
  }

  @Test
  void limitAndBadInput() {
    String r = Schema.validate("id\nx\nx\nx\n".getBytes(StandardCharsets.UTF_8),
        "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"}]}", 2, null);
    assertTrue(r.contains("\"partial\":true"));
    assertThrows(InvalidDataException.class, () -> Schema.validate("a\n1\n", "{\"fields\":[{\"name\":\"a\",\"type\":\"x\"}]}"));
    assertThrows(ParseException.class, () -> Schema.normalize("{"));
    assertThrows(CivitasIOException.class, () -> Schema.validate(Path.of("/nonexistent.csv"), SCHEMA));
    assertThrows(InvalidArgumentException.class, () -> Schema.check(null));
    assertTrue(Schema.check("{\"fields\":[{\"name\":\"a\",\"type\":\"x\"}]}").contains("/fields/0/type"));
  }

  @Test
  void catalogRoundTrip() {
    assertTrue(Catalog.check(ENTRY).contains("\"resourceCode\":\"102/000001\""));
    String norm = Catalog.importEntry(Catalog.export(ENTRY, Catalog.Format.DATAPACKAGE), null);
    for (Catalog.Format f : Catalog.Format.values()) {
      assertEquals(norm, Catalog.importEntry(Catalog.export(ENTRY, f), f));
    }
    assertThrows(InvalidDataException.class, () -> Catalog.export("{}", Catalog.Format.DCAT));
  }
}
