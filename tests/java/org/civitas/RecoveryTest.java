package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups and restore from Java: recovery key, backup, verify, restore (new epoch), refusals. */
class RecoveryTest {
  static final String DEPT = "91350100M000100Y43";

  @Test
  void backupVerifyRestore(@TempDir Path dir) throws Exception {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), WorkspaceTest.randomKey(),
        new Workspace.Options().department(DEPT))) {
      String id = Recovery.generateRecoveryKey(dir.resolve("R.key"));
      assertEquals(16, id.length());
      assertThrows(AlreadyExistsException.class, () -> Recovery.generateRecoveryKey(dir.resolve("R.key")));
      Recovery.generateRecoveryKey(dir.resolve("S.key"));
      Path bk = dir.resolve("b.civbak");
      Recovery.BackupInfo b = Recovery.backup(ws, bk, dir.resolve("R.key.pub"));
      assertEquals(List.of(id), b.recipients);
      assertEquals(DEPT, b.department);
      assertEquals(b.backupId, Recovery.verify(ws, bk).backupId);
      String doc = ws.exportPublic();
      assertEquals(b.auditSize, Recovery.verify(bk, doc).auditSize);
      assertThrows(AlreadyExistsException.class, () -> Recovery.backup(ws, bk, dir.resolve("R.key.pub")));

      byte[] bytes = Files.readAllBytes(bk);
      bytes[bytes.length / 2] ^= 1;
      Path bad = dir.resolve("bad.civbak");
      Files.write(bad, bytes);
      assertThrows(IntegrityException.class, () -> Recovery.verify(ws, bad));
      assertThrows(NotRecipientException.class,
          () -> Recovery.restore(bk, dir.resolve("S.key"), dir.resolve("x.db"), WorkspaceTest.randomKey()));
      assertFalse(Files.exists(dir.resolve("x.db")));

      byte[] newKey = WorkspaceTest.randomKey();
      try (Workspace r = Recovery.restore(bk, dir.resolve("R.key"), dir.resolve("new.db"), newKey,
          new Recovery.RestoreOptions().keyDocument(doc))) {
        AuditLog log = new AuditLog(r);
        List<AuditEntry> e = log.query(new AuditLog.Filter().action("backup.restore"));
        assertEquals(1, e.size());
        assertEquals(b.auditSize, e.get(0).getIndex());
        assertTrue(log.checkpoint().startsWith("civitas/audit/" + DEPT + "/epoch-2\n"));
      }
      try (Workspace again = Workspace.open(dir.resolve("new.db"), newKey)) {
        assertEquals(ws.info().getWorkspaceId(), again.info().getWorkspaceId());
      }
    }
  }
}
