package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publishing job from Java: a small table of people published under the bundled policy
 *  (general-2: names dropped, birth dates generalised, k = 20), verified; a refusal with its
 *  reason and column, nothing written; a changed file refused. */
class PublishTest {
  static final String HR = "11350100003001527P";
  static final String CODE = "105002001/000040";
  static final String SCHEMA = "{\"fields\":[{\"name\":\"name\",\"type\":\"string\",\"civitas:dataType\":\"C\","
      + "\"civitas:dataLength\":20},{\"name\":\"birth_date\",\"type\":\"date\",\"civitas:dataType\":\"D\"},"
      + "{\"name\":\"wage\",\"type\":\"integer\",\"civitas:dataType\":\"N\",\"civitas:dataLength\":8}]}";
  static final String ENTRY = "{\"version\":1,\"classification\":{\"class\":\"1\",\"item\":\"05\",\"category\":\"002\","
      + "\"subcategory\":\"001\"},\"sequence\":\"000040\",\"title\":\"工资样本\",\"abstract\":\"合成数据\","
      + "\"provider\":{\"name\":\"人社局\",\"uscc\":\"" + HR + "\"},\"formats\":[\"csv\"],"
      + "\"items\":[{\"name\":\"姓名\",\"field\":\"name\",\"dataType\":\"C\",\"length\":20},"
      + "{\"name\":\"出生日期\",\"field\":\"birth_date\",\"dataType\":\"D\"},"
      + "{\"name\":\"工资\",\"field\":\"wage\",\"dataType\":\"N\",\"length\":8}],"
      + "\"sharing\":{\"type\":\"有条件共享\",\"condition\":\"核验\",\"modes\":[\"api\"]},"
      + "\"open\":{\"type\":\"有条件开放\",\"condition\":\"去标识化\"},\"updateCycle\":\"monthly\",\"issued\":\"2025-01-01\"}";

  /** 40 synthetic people born in the 1980s. */
  static Path table(Path dir) throws Exception {
    String surnames = "王李张刘陈杨黄赵吴周";
    String[] given = {"伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇"};
    StringBuilder b = new StringBuilder("name,birth_date,wage\n");
    for (int i = 0; i < 40; i++) {
      b.append(surnames.charAt(i % 10)).append(given[(i * 3) % 10]).append(',')
          .append(String.format("198%d-%02d-%02d", i % 10, 1 + i % 12, 1 + i % 28)).append(',').append(3000 + i * 100).append('\n');
    }
    Path p = dir.resolve("people.csv");
    Files.writeString(p, b.toString(), StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void publishVerifyAndRefuse(@TempDir Path dir) throws Exception {
    Path data = table(dir);
    try (Workspace ws = Workspace.create(dir.resolve("hr.db"), WorkspaceTest.randomKey(), new Workspace.Options().department(HR))) {
      Catalog.add(ws, ENTRY);
      // a spec that keeps the names: refused, nothing written
      String keep = "{\"fields\":{\"name\":{\"role\":\"identifier\",\"action\":\"keep\"},"
          + "\"birth_date\":{\"role\":\"quasi-identifier\",\"hierarchy\":\"date\"}},\"privacy\":{\"k\":20}}";
      Path refused = dir.resolve("refused");
      PublishRefusedException e = assertThrows(PublishRefusedException.class,
          () -> Publish.run(ws, data, refused, CODE, SCHEMA, null, keep));
      assertEquals("identifier", e.reason);
      assertEquals("name", e.column);
      assertFalse(Files.exists(refused));

      Path out = dir.resolve("pub");
      String summary = Publish.run(ws, data, out, CODE, SCHEMA, null, null);
      assertTrue(summary.contains("\"path\":\"data.csv\""), summary);
      String header = Files.readAllLines(out.resolve("data.csv"), StandardCharsets.UTF_8).get(0);
      assertEquals("birth_date,wage", header);
      assertTrue(Publish.verify(ws, out).contains("\"signer\":\"workspace\""));
      String doc = ws.exportPublic();
      assertTrue(Publish.verify(out, doc).contains("\"signer\":\"document\""));
      assertThrows(AlreadyExistsException.class, () -> Publish.run(ws, data, out, CODE, SCHEMA, null, null));

      Files.writeString(out.resolve("data.csv"), "birth_date,wage\n*,1\n", StandardCharsets.UTF_8);
      assertThrows(IntegrityException.class, () -> Publish.verify(out, doc));
    }
  }
}
