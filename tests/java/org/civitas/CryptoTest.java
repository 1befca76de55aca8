package org.civitas;

import static org.civitas.WorkspaceTest.DEPT_A;
import static org.civitas.WorkspaceTest.deptB;
import static org.civitas.WorkspaceTest.randomKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crypto from Java: every primitive, its round trip and its rejections. */
class CryptoTest {
  @TempDir Path dir;
  Workspace a;
  Workspace b;
  Crypto ca;
  Crypto cb;

  @BeforeEach
  void open() {
    a = Workspace.create(dir.resolve("a.db"), randomKey(), new Workspace.Options().department(DEPT_A).name("A"));
    b = Workspace.create(dir.resolve("b.db"), randomKey(), new Workspace.Options().department(deptB()).name("B"));
    ca = a.crypto();
    cb = b.crypto();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String ric() {
    String body = "11010519491231002";
    return body + Ids.checkChar("ric", body);
  }

  // ---- field encryption ----------------------------------------------------------------

  @Test
  void fieldRoundTrip() {
    byte[] ct = ca.encryptField("secret", "r", "f", "1");
    assertEquals(6 + Crypto.FIELD_OVERHEAD, ct.length);
    assertEquals(49, Crypto.FIELD_OVERHEAD);
    assertEquals(1, ct[0]);
    assertArrayEquals(utf8("secret"), ca.decryptField(ct, "r", "f", "1"));
    assertNotEquals(Arrays.toString(ct), Arrays.toString(ca.encryptField("secret", "r", "f", "1")), "random nonce");
    byte[] text = utf8("税务 😀 \0 end");
    assertArrayEquals(text, ca.decryptField(ca.encryptField(text, "r", "f", "1"), "r", "f", "1"));
    assertArrayEquals(new byte[0], ca.decryptField(ca.encryptField(new byte[0], null, null, null), "", "", ""));
  }

  @Test
  void fieldRejectsWrongContextTamperingAndForeignKeys() {
    byte[] ct = ca.encryptField("secret", "r", "f", "1");
    assertThrows(IntegrityException.class, () -> ca.decryptField(ct, "r", "f", "2"));
    assertThrows(IntegrityException.class, () -> ca.decryptField(ct, "r", "g", "1"));
    assertThrows(IntegrityException.class, () -> ca.decryptField(ct, "s", "f", "1"));
    assertThrows(TruncatedException.class, () -> ca.decryptField(Arrays.copyOf(ct, 20), "r", "f", "1"));
    assertThrows(TruncatedException.class, () -> ca.decryptField(new byte[0], "r", "f", "1"));
    for (int i : new int[] {9, 33, ct.length - 1}) { // nonce, body, tag
      byte[] bad = ct.clone();
      bad[i] ^= 1;
      assertThrows(IntegrityException.class, () -> ca.decryptField(bad, "r", "f", "1"), "flipped byte " + i);
    }
    byte[] badVersion = ct.clone();
    badVersion[0] = 2;
    assertThrows(UnsupportedVersionException.class, () -> ca.decryptField(badVersion, "r", "f", "1"));
    assertThrows(UnknownKeyException.class, () -> cb.decryptField(ct, "r", "f", "1"));
    assertThrows(InvalidArgumentException.class, () -> ca.decryptField(null, "r", "f", "1"));
    assertThrows(InvalidArgumentException.class, () -> ca.encryptField((byte[]) null, "r", "f", "1"));
  }

  @Test
  void columnsRoundTripInOneCall() {
    int n = 1000;
    String[] vals = new String[n];
    String[] recs = new String[n];
    for (int i = 0; i < n; i++) {
      vals[i] = "value-" + i;
      recs[i] = Integer.toString(i);
    }
    byte[][] cts = ca.encryptColumn(vals, "res", "name", recs);
    assertEquals(n, cts.length);
    byte[][] back = ca.decryptColumn(cts, "res", "name", recs);
    for (int i = 0; i < n; i++) {
      assertArrayEquals(utf8(vals[i]), back[i]);
    }
    // a column value is an ordinary field ciphertext
    assertArrayEquals(utf8("value-7"), ca.decryptField(cts[7], "res", "name", "7"));
    byte[][] raw = {utf8("x"), new byte[0], utf8("税务")};
    byte[][] plain = ca.decryptColumn(ca.encryptColumn(raw, null, "f", null), null, "f", null);
    assertEquals(3, plain.length);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(raw[i], plain[i]);
    }
    assertEquals(0, ca.encryptColumn(new byte[0][], "r", "f", null).length);
  }

  @Test
  void columnsRejectSwappedRowsWrongRecordsAndBadArguments() {
    String[] vals = {"a", "b", "c", "d"};
    String[] recs = {"1", "2", "3", "4"};
    byte[][] cts = ca.encryptColumn(vals, "res", "f", recs);
    byte[][] swapped = cts.clone();
    swapped[2] = cts[3];
    IntegrityException e = assertThrows(IntegrityException.class, () -> ca.decryptColumn(swapped, "res", "f", recs));
    assertTrue(e.getMessage().contains("row 3"), e.getMessage());
    assertThrows(IntegrityException.class, () -> ca.decryptColumn(cts, "res", "f", new String[] {"1", "2", "3", "5"}));
    assertThrows(IntegrityException.class, () -> ca.decryptColumn(cts, "res", "f", null));
    byte[][] truncated = cts.clone();
    truncated[0] = Arrays.copyOf(cts[0], 10);
    assertThrows(TruncatedException.class, () -> ca.decryptColumn(truncated, "res", "f", recs));
    assertThrows(UnknownKeyException.class, () -> cb.decryptColumn(cts, "res", "f", recs));
    assertThrows(InvalidArgumentException.class, () -> ca.encryptColumn(vals, "res", "f", new String[] {"1"}));
    InvalidArgumentException n = assertThrows(InvalidArgumentException.class,
        () -> ca.encryptColumn(new String[] {"a", null}, "r", "f", null));
    assertTrue(n.getMessage().contains("values[1]"), n.getMessage());
  }

  // ---- tokens --------------------------------------------------------------------------

  @Test
  void tokensAreDeterministicPerDomainAndReversible() {
    byte[] t = ca.tokenize("91350100M000100Y43", "uscc");
    assertArrayEquals(t, ca.tokenize(utf8("91350100M000100Y43"), "uscc"));
    assertFalse(Arrays.equals(t, ca.tokenize("91350100M000100Y43", "other")));
    assertFalse(Arrays.equals(t, ca.tokenize("91350100M000100Y44", "uscc")));
    assertFalse(Arrays.equals(t, cb.tokenize("91350100M000100Y43", "uscc")), "another keyring");
    assertArrayEquals(utf8("91350100M000100Y43"), ca.detokenize(t, "uscc"));
    assertThrows(IntegrityException.class, () -> ca.detokenize(t, "other"));
    byte[] bad = t.clone();
    bad[bad.length - 1] ^= 1;
    assertThrows(IntegrityException.class, () -> ca.detokenize(bad, "uscc"));
    assertThrows(TruncatedException.class, () -> ca.detokenize(Arrays.copyOf(t, 5), "uscc"));
    assertThrows(UnknownKeyException.class, () -> cb.detokenize(t, "uscc"));
  }

  // ---- identity keys -------------------------------------------------------------------

  @Test
  void identityKeysAreCanonicalAndDifferPerDomain() {
    String k = ca.identityKey("ric", ric(), "health");
    assertTrue(k.startsWith("ik1:"), k);
    assertEquals(Crypto.IDENTITY_KEY_LENGTH, k.length());
    assertEquals(64, k.length());
    assertEquals(k, ca.identityKey("ric", ric().toLowerCase(), "health"), "canonicalised first");
    assertNotEquals(k, ca.identityKey("ric", ric(), "tax"));
    assertNotEquals(k, cb.identityKey("ric", ric(), "health"), "another identity secret");
    String[] col = ca.identityKeys("ric", new String[] {ric(), "bad", ric().toLowerCase()}, "health");
    assertEquals(k, col[0]);
    assertNull(col[1]);
    assertEquals(k, col[2]);
    assertEquals(0, ca.identityKeys("uscc", new String[0], "d").length);
    InvalidDataException e = assertThrows(InvalidDataException.class, () -> ca.identityKey("ric", "123", "health"));
    assertFalse(e.getMessage().contains("123"), "no identifier in messages: " + e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> ca.identityKey("ric", ric(), ""));
    assertThrows(InvalidArgumentException.class, () -> ca.identityKey("nope", ric(), "health"));
    assertEquals(k, ca.identityKey(IdKind.RIC, ric(), "health"), "IdKind and name agree");
    assertEquals(Arrays.asList(col), Arrays.asList(ca.identityKeys(IdKind.RIC, new String[] {ric(), "bad", ric().toLowerCase()}, "health")));
    assertThrows(InvalidArgumentException.class, () -> ca.identityKey((IdKind) null, ric(), "health"));
  }

  // ---- signatures ----------------------------------------------------------------------

  @Test
  void signAndVerifyIncludingTampering() {
    byte[] msg = utf8("contract");
    byte[] sig = ca.sign(msg);
    assertEquals(64, sig.length);
    assertTrue(ca.verify(msg, sig));
    assertFalse(ca.verify(utf8("contracT"), sig));
    byte[] bad = sig.clone();
    bad[0] ^= 1;
    assertFalse(ca.verify(msg, bad));
    assertFalse(ca.verify(msg, Arrays.copyOf(sig, 63)));
    assertFalse(cb.verify(msg, sig), "not B's signature");

    assertThrows(UnknownKeyException.class, () -> cb.verify(msg, sig, DEPT_A));
    assertEquals(DEPT_A, b.importPublic(a.exportPublic()));
    assertTrue(cb.verify(msg, sig, DEPT_A));
    assertFalse(cb.verify(utf8("contracT"), sig, DEPT_A));

    Crypto.Signature s = ca.signWithKeyId(msg);
    assertTrue(s.getKeyId().matches("[0-9a-f]{16}"));
    // the general-purpose signature has a key of its own (never the package or checkpoint key)
    assertEquals(WorkspaceTest.keyIds(a, Workspace.Purpose.USER_SIGNING, KeyStatus.PRIMARY).get(0), s.getKeyId());
    assertNotEquals(WorkspaceTest.keyIds(a, Workspace.Purpose.SIGNING, KeyStatus.PRIMARY).get(0), s.getKeyId());
    a.rotate(Workspace.Purpose.USER_SIGNING);
    assertTrue(ca.verify(msg, s.getBytes()), "old signatures still verify after rotation");
    assertNotEquals(s.getKeyId(), ca.signWithKeyId(msg).getKeyId());
  }

  // ---- sealed boxes --------------------------------------------------------------------

  @Test
  void sealedBoxesOpenOnlyForTheRecipient() {
    assertArrayEquals(utf8("to me"), ca.unseal(ca.seal(utf8("to me"))));
    assertThrows(UnknownKeyException.class, () -> cb.seal(utf8("x"), DEPT_A));
    b.importPublic(a.exportPublic());
    byte[] box = cb.seal(utf8("to A"), DEPT_A);
    assertArrayEquals(utf8("to A"), ca.unseal(box));
    assertThrows(NotRecipientException.class, () -> cb.unseal(box));
    byte[] bad = box.clone();
    bad[bad.length - 1] ^= 1;
    assertThrows(IntegrityException.class, () -> ca.unseal(bad));
    assertThrows(TruncatedException.class, () -> ca.unseal(Arrays.copyOf(box, 8)));
    assertArrayEquals(new byte[0], ca.unseal(ca.seal(new byte[0])));
  }
}
