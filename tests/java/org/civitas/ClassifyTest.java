package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classification from Java: values, texts (String and byte offsets), columns, CSV files. */
class ClassifyTest {
  @Test
  void typesAreTheIssueNames() {
    List<String> t = Classify.types();
    assertEquals(21, t.size());
    assertEquals("none", t.get(0));
    assertTrue(t.contains("hk_macao_permit") && t.contains("gps_coordinates"));
  }

  @Test
  void valueTypes() {
    assertEquals("ric", Classify.value("11010519491231002X"));
    assertEquals("mobile_phone", Classify.value("13912345678"));
    assertEquals("none", Classify.value("hello"));
    assertEquals("employee_no", Classify.value("EMP123456", "[{\"name\":\"employee_no\",\"pattern\":\"EMP[0-9]{6}\"}]"));
    assertThrows(InvalidArgumentException.class, () -> Classify.value("x", "[{\"name\":\"x\",\"pattern\":\"(\"}]"));
    assertThrows(ParseException.class, () -> Classify.value("x", "["));
  }

  @Test
  void findGivesCharOffsetsForStringsAndByteOffsetsForBytes() {
    List<Classify.Finding> f = Classify.find("联系人张三，电话13912345678");
    assertEquals(Arrays.asList(new Classify.Finding("person_name", 3, 2), new Classify.Finding("mobile_phone", 8, 11)), f);
    byte[] gb = "电话13912345678".getBytes(Charset.forName("GB18030"));
    assertEquals(Arrays.asList(new Classify.Finding("mobile_phone", 4, 11)), Classify.find(gb, null, null));
    byte[] utf8 = "电话13912345678".getBytes(StandardCharsets.UTF_8);
    assertEquals(6, Classify.find(utf8, "utf-8", null).get(0).getOffset());
    assertThrows(ParseException.class, () -> Classify.find(new byte[] {(byte) 0x81}, "gb18030", null));
  }

  @Test
  void columnsAndTheNameHint() {
    Classify.Column c = Classify.scanColumn("phone", Arrays.asList("13912345678", null, "13800138000"));
    assertEquals("mobile_phone", c.getType());
    assertEquals("detected", c.getSource());
    assertNull(c.getLevel());
    assertEquals("none", Classify.scanColumn("phone", Arrays.asList("202403150000012345", "202312319999999999")).getType());
    Classify.Column blank = Classify.scanColumn("身份证号", Arrays.asList("", null));
    assertEquals("ric", blank.getType());
    assertEquals("name", blank.getSource());
  }

  @Test
  void scanFileWithSchemaAnnotations(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("t.csv");
    Files.write(csv, "id,tel\n11010519491231002X,13912345678\n110105491231002,13800138000\n".getBytes(StandardCharsets.UTF_8));
    Classify.Table t = Classify.scanFile(csv);
    assertEquals("ric", t.getColumns().get(0).getType());
    assertNull(t.getLevel());
    String opts = "{\"schema\":{\"fields\":[{\"name\":\"id\",\"civitas:classification\":"
        + "{\"category\":\"identity\",\"level\":\"important\"}},{\"name\":\"tel\"}]}}";
    Classify.Table s = Classify.scanFile(csv, opts);
    assertEquals("important", s.getLevel());
    assertEquals("schema", s.getColumns().get(0).getSource());
    assertEquals("identity", s.getColumns().get(0).getCategory());
    assertTrue(s.toJson().startsWith("{\"columns\":[{\"name\":\"id\",\"type\":\"ric\""), s.toJson());
    assertThrows(CivitasIOException.class, () -> Classify.scanFile(dir.resolve("missing.csv")));
  }
}
