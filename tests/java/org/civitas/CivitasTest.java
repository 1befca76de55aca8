package org.civitas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CivitasTest {
  @Test
  void versionIsTheNativeLibrarysVersion() {
    assertTrue(Civitas.version().matches("\\d+\\.\\d+\\.\\d+"), Civitas.version());
    String[] v = Civitas.version().split("\\.");
    assertEquals(Integer.parseInt(v[0]) * 10000 + Integer.parseInt(v[1]) * 100 + Integer.parseInt(v[2]),
        Civitas.versionNumber());
  }

  @Test
  void everyErrorCodeHasItsExceptionClassAndName() {
    Map<Integer, Object[]> expected = new LinkedHashMap<>();
    expected.put(-1, new Object[] {InvalidArgumentException.class, "invalid-argument"});
    expected.put(-2, new Object[] {CivitasOutOfMemoryException.class, "out-of-memory"});
    expected.put(-3, new Object[] {InternalException.class, "internal"});
    expected.put(-4, new Object[] {CivitasIOException.class, "io"});
    expected.put(-5, new Object[] {NotFoundException.class, "not-found"});
    expected.put(-6, new Object[] {ParseException.class, "parse"});
    expected.put(-7, new Object[] {IntegrityException.class, "integrity"});
    expected.put(-8, new Object[] {WrongKeyException.class, "wrong-key"});
    expected.put(-9, new Object[] {UnsupportedVersionException.class, "unsupported-version"});
    expected.put(-10, new Object[] {AlreadyExistsException.class, "exists"});
    expected.put(-11, new Object[] {BusyException.class, "busy"});
    expected.put(-12, new Object[] {DeniedException.class, "denied"});
    expected.put(-13, new Object[] {BadSignatureException.class, "bad-signature"});
    expected.put(-14, new Object[] {ReplayException.class, "replay"});
    expected.put(-15, new Object[] {UnknownKeyException.class, "unknown-key"});
    expected.put(-16, new Object[] {NotRecipientException.class, "not-recipient"});
    expected.put(-17, new Object[] {TruncatedException.class, "truncated"});
    expected.put(-18, new Object[] {SchemaMismatchException.class, "schema-mismatch"});
    expected.put(-19, new Object[] {BufferTooSmallException.class, "buffer-too-small"});
    expected.put(-20, new Object[] {InvalidDataException.class, "invalid-data"});
    for (Map.Entry<Integer, Object[]> e : expected.entrySet()) {
      CivitasException ex = Errors.create(e.getKey(), "m");
      assertSame(e.getValue()[0], ex.getClass(), "code " + e.getKey());
      assertEquals((int) e.getKey(), ex.getCode());
      assertEquals(e.getValue()[1], ex.getCodeName());
      assertEquals("m", ex.getMessage());
    }
  }

  @Test
  void anUnknownCodeIsAPlainCivitasException() {
    CivitasException e = Errors.create(-99, "future");
    assertSame(CivitasException.class, e.getClass());
    assertEquals(-99, e.getCode());
    assertEquals("unknown", e.getCodeName());
  }

  @Test
  void checkPassesSuccessAndCountsThrough() {
    assertEquals(0, Errors.check(0));
    assertEquals(7, Errors.check(7));
  }

  @Test
  void checkUsesTheThreadsLastErrorMessage() {
    // Make the C library record an error on this thread, then turn its code into an exception.
    assertThrows(InvalidArgumentException.class, () -> Ids.checkChar("gb2260", "110105"));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Errors.check(-1));
    assertEquals("division codes have no check character", e.getMessage());
    // A code that does not match the last error gets the code's name as its message.
    NotFoundException nf = assertThrows(NotFoundException.class, () -> Errors.check(-5));
    assertEquals("not-found", nf.getMessage());
  }

  @Test
  void exceptionsAreUncheckedAndPrintTheirCodeName() {
    CivitasException e = new IntegrityException("tampered");
    assertTrue(e instanceof RuntimeException);
    assertEquals("org.civitas.IntegrityException [integrity]: tampered", e.toString());
  }
}
