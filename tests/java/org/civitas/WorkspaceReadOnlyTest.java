package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workspace opened read-only and without audit (Workspace.openReadOnly,
 * Options.readOnly; civ_ctx_options version 2; issue 16): the keyed reads give the results of
 * a read-write open and record nothing, writes throw DeniedException, the database and its
 * header keep their bytes.
 */
class WorkspaceReadOnlyTest {
  static final String RIC = "11010519491231002X";

  @Test
  void readOnlyOpenReadsAndRecordsNothing(@TempDir Path dir) throws IOException {
    Path p = dir.resolve("w.db");
    byte[] key = WorkspaceTest.randomKey();
    String ik;
    byte[] token;
    byte[] ct;
    long size;
    try (Workspace ws = Workspace.create(p, key, new Workspace.Options().department(WorkspaceTest.DEPT_A))) {
      ik = ws.crypto().identityKey(IdKind.RIC, RIC, "health");
      token = ws.crypto().tokenize("abc", "d");
      ct = ws.crypto().encryptField("secret", "res", "f", "r1");
      AuditLog log = new AuditLog(ws);
      long before = log.size();
      ws.crypto().decryptField(ct, "res", "f", "r1"); // read-write: field.decrypt is recorded
      assertEquals(before + 1, log.size());
      size = log.size();
    }
    // the last connection closed: the WAL is checkpointed, the file's bytes are final
    byte[] db = Files.readAllBytes(p);
    byte[] header = Files.readAllBytes(Workspace.headerPath(p));

    try (Workspace ro = Workspace.openReadOnly(p, key);
        Workspace ro2 = Workspace.open(p, key, new Workspace.Options().readOnly(true))) {
      assertEquals(ik, ro.crypto().identityKey(IdKind.RIC, RIC, "health"));
      String[] iks = ro2.crypto().identityKeys(IdKind.RIC, new String[] {RIC, "bad"}, "health");
      assertEquals(ik, iks[0]);
      assertNull(iks[1]);
      assertArrayEquals(token, ro.crypto().tokenize("abc", "d"));
      assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), ro.crypto().detokenize(token, "d"));
      assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8), ro.crypto().decryptField(ct, "res", "f", "r1"));
      assertEquals(WorkspaceTest.DEPT_A, ro.info().getDepartment());
      assertEquals(size, new AuditLog(ro).size()); // nothing recorded
      // writes are refused before they change anything, saying why
      DeniedException e = assertThrows(DeniedException.class, () -> ro.rotate(Workspace.Purpose.FIELD));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
      assertThrows(DeniedException.class, () -> new AuditLog(ro).append(new AuditLog.Event(WorkspaceTest.DEPT_A, "x.y")));
      assertThrows(DeniedException.class, ro::exportPublic);
      assertEquals(size, new AuditLog(ro2).size());
    }
    assertArrayEquals(db, Files.readAllBytes(p));
    assertArrayEquals(header, Files.readAllBytes(Workspace.headerPath(p)));

    // the same errors as a read-write open; nothing is created
    assertThrows(WrongKeyException.class, () -> Workspace.openReadOnly(p, WorkspaceTest.randomKey()));
    Path none = dir.resolve("none.db");
    assertThrows(NotFoundException.class, () -> Workspace.openReadOnly(none, key));
    assertFalse(Files.exists(none));
    // a new workspace cannot be read-only
    assertThrows(InvalidArgumentException.class,
        () -> Workspace.create(none, key, new Workspace.Options().readOnly(true)));
    assertFalse(Files.exists(none));

    // a read-write open afterwards: the log is as it was, and writes work again
    try (Workspace ws = Workspace.open(p, key, new Workspace.Options().readOnly(false))) {
      assertEquals(size, new AuditLog(ws).size());
      ws.rotate(Workspace.Purpose.FIELD);
      assertEquals(size + 1, new AuditLog(ws).size());
    }
  }

  @Test
  void readOnlyWithPassphrase(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    char[] pw = "pw".toCharArray();
    String ik;
    try (Workspace ws = Workspace.create(p, pw, WorkspaceTest.fast())) {
      ik = ws.crypto().identityKey(IdKind.RIC, RIC, "d");
    }
    try (Workspace ro = Workspace.openReadOnly(p, pw)) {
      assertEquals(ik, ro.crypto().identityKey(IdKind.RIC, RIC, "d"));
      assertThrows(DeniedException.class, () -> ro.rotate(Workspace.Purpose.TOKEN));
    }
    assertThrows(WrongKeyException.class, () -> Workspace.openReadOnly(p, "nope".toCharArray()));
  }
}
