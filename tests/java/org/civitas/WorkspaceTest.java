package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.civ_key_source_kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workspace from Java: create/open with both key sources, the keyring, the peer directory. */
class WorkspaceTest {
  static final String DEPT_A = "91350100M000100Y43";
  static final SecureRandom RANDOM = new SecureRandom();

  /** A cheap Argon2id cost, so that the tests do not spend seconds in the KDF. */
  static Workspace.Options fast() {
    return new Workspace.Options().kdf(1, 1 << 16);
  }

  static byte[] randomKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  static String deptB() {
    String body = "91110000100000007";
    return body + Ids.checkChar("uscc", body);
  }

  /** The ids of the keys of a purpose with a status. */
  static List<String> keyIds(Workspace ws, Workspace.Purpose purpose, KeyStatus status) {
    List<String> ids = new ArrayList<>();
    for (KeyInfo k : ws.keys()) {
      if (k.getPurpose() == purpose && k.getStatus() == status) {
        ids.add(k.getId());
      }
    }
    return ids;
  }

  @Test
  void createAndOpenWithPassphrase(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    try (Workspace ws = Workspace.create(p, "pw".toCharArray(), fast().department(DEPT_A).name("市场监管"))) {
      WorkspaceInfo info = ws.info();
      assertEquals(DEPT_A, info.getDepartment(), info.toJson());
      assertEquals("市场监管", info.getName());
      assertEquals("passphrase", info.getKeySource());
      assertEquals(p.toString(), info.getPath());
      assertTrue(info.getWorkspaceId().matches("[0-9a-f]{32}"), info.getWorkspaceId());
      long now = System.currentTimeMillis() / 1000;
      assertTrue(Math.abs(info.getCreatedSeconds() - now) < 600, info.toJson());
      assertTrue(info.getSchemaVersion() > 0, info.toJson());
      assertEquals(info, WorkspaceInfo.fromJson(info.toJson()));
      for (Workspace.Purpose purpose : Workspace.Purpose.values()) {
        assertEquals(1, keyIds(ws, purpose, KeyStatus.PRIMARY).size(), ws.keys().toString());
      }
      List<KeyInfo> keys = ws.keys();
      assertEquals(8, keys.size(), keys.toString());
      for (KeyInfo k : keys) {
        assertTrue(k.getId().matches("[0-9a-f]{16}"), k.getId());
        assertTrue(Math.abs(k.getCreatedSeconds() - now) < 600, k.toJson());
        assertTrue(k.getAlgorithm().length() > 0);
        boolean pub = k.getPurpose() == Workspace.Purpose.SIGNING || k.getPurpose() == Workspace.Purpose.EXCHANGE
            || k.getPurpose() == Workspace.Purpose.CHECKPOINT || k.getPurpose() == Workspace.Purpose.USER_SIGNING
            || k.getPurpose() == Workspace.Purpose.USER_SEALING;
        assertEquals(pub, k.getPublicKey() != null, k.toJson());
        if (pub) {
          assertEquals(32, k.getPublicKey().length);
        }
        assertEquals(k, KeyInfo.fromJson(k.toJson()));
      }
      assertThrows(UnsupportedOperationException.class, () -> keys.clear());
      ws.checkIntegrity();
    }
    assertTrue(Files.exists(Workspace.headerPath(p)));
    assertEquals(dir.resolve("w.db.header"), Workspace.headerPath(p));
    try (Workspace ws = Workspace.open(p, "pw".toCharArray())) {
      assertEquals(DEPT_A, ws.info().getDepartment());
    }
  }

  @Test
  void wrongPassphraseIsWrongKeyException(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    Workspace.create(p, "right".toCharArray(), fast()).close();
    WrongKeyException e = assertThrows(WrongKeyException.class, () -> Workspace.open(p, "wrong".toCharArray()));
    assertTrue(e.getMessage().contains("wrong key, or not a civitas workspace"), e.getMessage());
    assertEquals(-8, e.getCode());
    assertEquals("wrong-key", e.getCodeName());
    assertThrows(WrongKeyException.class, () -> Workspace.open(p, randomKey()));
  }

  @Test
  void rawKeyWorkspace(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    byte[] key = randomKey();
    byte[] copy = key.clone();
    Workspace.create(p, key, null).close();
    assertArrayEquals(copy, key, "the caller's array is the caller's");
    try (Workspace ws = Workspace.open(p, key)) {
      assertEquals("raw", ws.info().getKeySource());
    }
    assertThrows(WrongKeyException.class, () -> Workspace.open(p, randomKey()));
  }

  @Test
  void nonAsciiPassphraseIsUtf8AndUnpairedSurrogateIsRejected(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    char[] pw = "pä😀ß".toCharArray();
    Workspace.create(p, pw, fast()).close();
    Workspace.open(p, "pä😀ß".toCharArray()).close();
    assertThrows(WrongKeyException.class, () -> Workspace.open(p, "pä?ß".toCharArray()));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Workspace.open(p, new char[] {'a', '\uD83D', 'b'}));
    assertTrue(e.getMessage().contains("unpaired UTF-16 surrogate at index 1"), e.getMessage());
    // the JNI layer's own check (behind the Java one), converting in locked memory
    InvalidArgumentException j = assertThrows(InvalidArgumentException.class,
        () -> CivitasNative.civj_ctx_open(new long[1], null, civ_key_source_kind.CIV_KEY_PASSPHRASE,
            new char[] {'x', 'y', '\uDC00'}, null, 0, 0));
    assertEquals("passphrase: unpaired UTF-16 surrogate at index 2", j.getMessage());
  }

  @Test
  void badArgumentsAndMissingOrExistingFiles(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    Workspace.create(p, randomKey(), null).close();
    assertThrows(AlreadyExistsException.class, () -> Workspace.create(p, randomKey(), null));
    assertThrows(NotFoundException.class, () -> Workspace.open(dir.resolve("none.db"), randomKey()));
    assertThrows(InvalidArgumentException.class, () -> Workspace.open(p, new byte[31]));
    assertThrows(InvalidArgumentException.class, () -> Workspace.open(p, new char[0]));
    assertThrows(InvalidArgumentException.class, () -> Workspace.open(p, (char[]) null));
    assertThrows(InvalidArgumentException.class, () -> Workspace.open(null, randomKey()));
    assertThrows(InvalidArgumentException.class, () -> new Workspace.Options().busyTimeoutMillis(-1));
    assertThrows(InvalidDataException.class,
        () -> Workspace.create(dir.resolve("x.db"), randomKey(), new Workspace.Options().department("91350100M000100Y44")));
  }

  @Test
  void rotationKeepsOldDataReadableAndDestroyIsFinal(@TempDir Path dir) {
    try (Workspace ws = Workspace.create(dir.resolve("w.db"), randomKey(), null)) {
      Crypto c = ws.crypto();
      byte[] ct = c.encryptField("kept", "r", "f", "1");
      byte[] tok = c.tokenize("kept", "d");
      String old = keyIds(ws, Workspace.Purpose.FIELD, KeyStatus.PRIMARY).get(0);
      String fresh = ws.rotate(Workspace.Purpose.FIELD);
      assertNotEquals(old, fresh);
      assertTrue(fresh.matches("[0-9a-f]{16}"), fresh);
      assertEquals(List.of(fresh), keyIds(ws, Workspace.Purpose.FIELD, KeyStatus.PRIMARY));
      assertEquals(List.of(old), keyIds(ws, Workspace.Purpose.FIELD, KeyStatus.ACTIVE));
      assertEquals("kept", new String(c.decryptField(ct, "r", "f", "1"), StandardCharsets.UTF_8));
      assertEquals(hex(ct, 1, 8), old, "a ciphertext names its key");
      assertEquals(hex(c.encryptField("new", "r", "f", "1"), 1, 8), fresh);

      String oldToken = keyIds(ws, Workspace.Purpose.TOKEN, KeyStatus.PRIMARY).get(0);
      assertNotEquals(oldToken, ws.rotate(Workspace.Purpose.TOKEN));
      assertEquals("kept", new String(c.detokenize(tok, "d"), StandardCharsets.UTF_8));

      assertThrows(DeniedException.class, () -> ws.destroyKey(fresh));
      ws.destroyKey(old);
      assertEquals(List.of(old), keyIds(ws, Workspace.Purpose.FIELD, KeyStatus.DESTROYED));
      assertThrows(DeniedException.class, () -> c.decryptField(ct, "r", "f", "1"));
      assertThrows(ParseException.class, () -> ws.destroyKey("not-a-key-id"));
      assertThrows(NotFoundException.class, () -> ws.destroyKey("0123456789abcdef"));
      assertThrows(InvalidArgumentException.class, () -> ws.rotate(null));
    }
  }

  static String hex(byte[] b, int off, int len) {
    StringBuilder s = new StringBuilder();
    for (int i = off; i < off + len; i++) {
      s.append(String.format("%02x", b[i] & 0xff));
    }
    return s.toString();
  }

  @Test
  void changeMasterRewrapsWithoutReencrypting(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    byte[] tok;
    try (Workspace ws = Workspace.create(p, "one".toCharArray(), fast())) {
      tok = ws.crypto().tokenize("kept", "d");
      ws.changeMaster("two".toCharArray(), fast());
    }
    assertThrows(WrongKeyException.class, () -> Workspace.open(p, "one".toCharArray()));
    byte[] key = randomKey();
    try (Workspace ws = Workspace.open(p, "two".toCharArray())) {
      assertArrayEquals("kept".getBytes(StandardCharsets.UTF_8), ws.crypto().detokenize(tok, "d"));
      ws.changeMaster(key);
      assertThrows(InvalidArgumentException.class, () -> ws.changeMaster(new byte[16]));
    }
    assertThrows(WrongKeyException.class, () -> Workspace.open(p, "two".toCharArray()));
    try (Workspace ws = Workspace.open(p, key)) {
      assertEquals("raw", ws.info().getKeySource());
      assertArrayEquals("kept".getBytes(StandardCharsets.UTF_8), ws.crypto().detokenize(tok, "d"));
    }
  }

  @Test
  void refreshSeesRotationByAnotherHandle(@TempDir Path dir) {
    Path p = dir.resolve("w.db");
    byte[] key = randomKey();
    try (Workspace a = Workspace.create(p, key, null); Workspace b = Workspace.open(p, key)) {
      String fresh = b.rotate(Workspace.Purpose.USER_SIGNING);
      a.refresh();
      assertEquals(List.of(fresh), keyIds(a, Workspace.Purpose.USER_SIGNING, KeyStatus.PRIMARY));
      assertEquals(fresh, a.crypto().signWithKeyId(new byte[] {1}).getKeyId());
    }
  }

  @Test
  void publicKeysExportAndImport(@TempDir Path dir) {
    try (Workspace a = Workspace.create(dir.resolve("a.db"), randomKey(), new Workspace.Options().department(DEPT_A).name("A"));
         Workspace b = Workspace.create(dir.resolve("b.db"), randomKey(), new Workspace.Options().department(deptB()));
         Workspace none = Workspace.create(dir.resolve("n.db"), randomKey(), null)) {
      String doc = a.exportPublic();
      assertTrue(doc.contains(DEPT_A), doc);
      assertEquals(DEPT_A, b.importPublic(doc));
      String forged = doc.replaceFirst("\"name\":\\s*\"A\"", "\"name\":\"X\"");
      assertNotEquals(doc, forged);
      assertThrows(BadSignatureException.class, () -> b.importPublic(forged));
      assertThrows(ParseException.class, () -> b.importPublic("{"));
      assertThrows(InvalidArgumentException.class, () -> b.importPublic(null));
      assertThrows(InvalidArgumentException.class, none::exportPublic);
    }
  }

  /** Issue 12: rotation and revocation through the key document; forged documents; replace, remove. */
  @Test
  void peerKeysRotationRevocationReplaceRemove(@TempDir Path dir) {
    try (Workspace a = Workspace.create(dir.resolve("a.db"), randomKey(), new Workspace.Options().department(DEPT_A).name("A"));
         Workspace b = Workspace.create(dir.resolve("b.db"), randomKey(), new Workspace.Options().department(deptB()));
         Workspace m = Workspace.create(dir.resolve("m.db"), randomKey(), new Workspace.Options().department(DEPT_A).name("M"))) {
      b.importPublic(a.exportPublic());
      String old = keyIds(a, Workspace.Purpose.SIGNING, KeyStatus.PRIMARY).get(0);
      a.rotate(Workspace.Purpose.SIGNING);
      String second = a.exportPublic();
      b.importPublic(second);
      a.revokeKey(old, "compromised");
      b.importPublic(a.exportPublic());
      PeerKey revoked = null;
      for (PeerKey k : b.peers(DEPT_A)) {
        if (k.getKeyId().equals(old)) {
          revoked = k;
        }
      }
      assertTrue(revoked != null && revoked.getStatus().equals("compromised"), String.valueOf(revoked));
      assertTrue(revoked.getRevokedSeconds() > 0);
      String primary = keyIds(a, Workspace.Purpose.SIGNING, KeyStatus.PRIMARY).get(0);
      assertThrows(DeniedException.class, () -> a.revokeKey(primary, "superseded"));
      assertThrows(BadSignatureException.class, () -> b.importPublic(m.exportPublic()));
      assertThrows(DeniedException.class, () -> b.importPublic(second));
      assertEquals(DEPT_A, b.importPublic(m.exportPublic(), true));
      for (PeerKey k : b.peers(DEPT_A)) {
        assertNotEquals(old, k.getKeyId());
        assertNotEquals(primary, k.getKeyId());
      }
      b.removePeer(DEPT_A);
      assertEquals(List.of(), b.peers(DEPT_A));
      assertThrows(NotFoundException.class, () -> b.removePeer(DEPT_A));
    }
  }

  @Test
  void peersAndSharingTheIdentityKeySecret(@TempDir Path dir) {
    String ric = "11010519491231002X";
    try (Workspace a = Workspace.create(dir.resolve("a.db"), randomKey(), new Workspace.Options().department(DEPT_A).name("A"));
         Workspace b = Workspace.create(dir.resolve("b.db"), randomKey(), new Workspace.Options().department(deptB()))) {
      a.importPublic(b.exportPublic());
      b.importPublic(a.exportPublic());
      List<PeerKey> peers = a.peers();
      assertEquals(4, peers.size(), peers.toString());
      assertEquals(peers, a.peers(deptB()));
      assertEquals(List.of(), a.peers(DEPT_A));
      long nowMs = System.currentTimeMillis();
      for (PeerKey k : peers) {
        assertEquals(deptB(), k.getDepartment());
        assertTrue(k.getKeyId().matches("[0-9a-f]{16}"), k.getKeyId());
        assertEquals(32, k.getPublicKey().length);
        assertTrue(Math.abs(k.getImportedSeconds() - nowMs / 1000) < 600, k.toJson());
        assertEquals(k, PeerKey.fromJson(k.toJson()));
      }
      assertEquals(java.util.Set.of(Workspace.Purpose.SIGNING, Workspace.Purpose.EXCHANGE, Workspace.Purpose.USER_SIGNING,
              Workspace.Purpose.USER_SEALING),
          peers.stream().map(PeerKey::getPurpose).collect(java.util.stream.Collectors.toSet()));
      // the peer's signing key is the one b lists as its own
      PeerKey signing = peers.stream().filter(k -> k.getPurpose() == Workspace.Purpose.SIGNING).findFirst().orElseThrow();
      KeyInfo own = b.keys().stream().filter(k -> k.getId().equals(signing.getKeyId())).findFirst().orElseThrow();
      assertArrayEquals(own.getPublicKey(), signing.getPublicKey());
      assertNotEquals(a.crypto().identityKey("ric", ric, "health"), b.crypto().identityKey("ric", ric, "health"));
      byte[] box = a.shareIdentitySecret(deptB());
      assertThrows(NotRecipientException.class, () -> a.importIdentitySecret(box));
      String id = b.importIdentitySecret(box);
      assertEquals(List.of(id), keyIds(b, Workspace.Purpose.IDENTITY, KeyStatus.PRIMARY));
      assertEquals(a.crypto().identityKey("ric", ric, "health"), b.crypto().identityKey("ric", ric, "health"));
      // key separation: a general-purpose sealed box (user-sealing key) is never a share
      assertThrows(NotRecipientException.class,
          () -> b.importIdentitySecret(a.crypto().seal("not a key".getBytes(StandardCharsets.UTF_8), deptB())));
      assertThrows(InvalidArgumentException.class, () -> a.shareIdentitySecret(DEPT_A));
      assertThrows(InvalidArgumentException.class, () -> a.shareIdentitySecret(null));
    }
  }

  @Test
  void closedWorkspaceIsAClearError(@TempDir Path dir) {
    Workspace ws = Workspace.create(dir.resolve("w.db"), randomKey(), null);
    Crypto c = ws.crypto();
    assertSame(c, ws.crypto());
    ws.close();
    ws.close(); // idempotent
    assertTrue(ws.isClosed());
    IllegalStateException e = assertThrows(IllegalStateException.class, ws::info);
    assertEquals("Workspace is closed", e.getMessage());
    assertThrows(IllegalStateException.class, ws::crypto);
    assertThrows(IllegalStateException.class, () -> ws.rotate(Workspace.Purpose.FIELD));
    assertThrows(IllegalStateException.class, () -> ws.changeMaster(randomKey()));
    assertThrows(IllegalStateException.class, () -> c.encryptField("x", "r", "f", "1"));
    assertThrows(IllegalStateException.class, () -> c.sign(new byte[1]));
  }
}
