package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdsTest {
  static final String USCC = "91350100M000100Y43";
  static final String USCC_BAD_CHECK = "91350100M000100Y44";
  static final String ORGCODE = "M000100Y-4";
  static final String RIC = "11010519491231002X";
  static final String RIC_LEGACY = "110105491231002";

  @AfterEach
  void restoreDivisionTable() {
    Ids.resetDivisionTable();
  }

  // ---- isValid -------------------------------------------------------------------------

  @Test
  void isValidAcceptsAValidCodeOfEachKind() {
    assertTrue(Ids.isValid("uscc", USCC));
    assertTrue(Ids.isValid("orgcode", ORGCODE));
    assertTrue(Ids.isValid("ric", RIC));
    assertTrue(Ids.isValid("ric", RIC_LEGACY));
    assertTrue(Ids.isValid("gb2260", "110105"));
  }

  @Test
  void isValidRejectsABadCodeOfEachKind() {
    assertFalse(Ids.isValid("uscc", USCC_BAD_CHECK));
    assertFalse(Ids.isValid("orgcode", "M000100Y5"));
    assertFalse(Ids.isValid("ric", "11010519491231002"));
    assertFalse(Ids.isValid("gb2260", "990105"));
    assertFalse(Ids.isValid("uscc", ""));
  }

  @Test
  void isValidNormalisesFullWidthCaseSpacesAndHyphens() {
    assertTrue(Ids.isValid("uscc", "９１３５０１００Ｍ０００１００Ｙ４３"));
    assertTrue(Ids.isValid("uscc", " 91350100-m000100y43 "));
    assertTrue(Ids.isValid("ric", "11010519491231002x"));
  }

  @Test
  void strictTurnsAWarningIntoAFailure() {
    String unknownRegion = "91990000M000100Y4" + Ids.checkChar("uscc", "91990000M000100Y4");
    assertTrue(Ids.isValid("uscc", unknownRegion));
    assertFalse(Ids.isValid("uscc", unknownRegion, true));
  }

  // ---- validate ------------------------------------------------------------------------

  @Test
  void validateParsesAUscc() {
    IdResult r = Ids.validate("uscc", USCC);
    assertTrue(r.isValid());
    assertEquals(IdKind.USCC, r.getKind());
    assertEquals(USCC, r.getCanonical());
    assertNull(r.getReason());
    assertTrue(r.getWarnings().isEmpty());
    assertEquals("valid", r.getMessage());
    IdParts p = r.getParts();
    assertEquals("9", p.getAuthorityCode());
    assertEquals("工商", p.getAuthorityName());
    assertEquals("1", p.getCategoryCode());
    assertEquals("企业", p.getCategoryName());
    assertEquals("M000100Y4", p.getOrgcode());
    assertEquals("3", p.getCheck());
    Region region = p.getRegion();
    assertEquals("350100", region.getCode());
    assertTrue(region.isKnown());
    assertEquals("福建省", region.getProvince());
    assertEquals("福州市", region.getPrefecture());
    assertNull(region.getCounty());
    assertNull(p.getBirthDate());
    assertNull(p.getSex());
  }

  @Test
  void validateParsesAResidentId() {
    IdResult r = Ids.validate("ric", RIC);
    assertTrue(r.isValid());
    IdParts p = r.getParts();
    assertEquals("1949-12-31", p.getBirthDate());
    assertEquals("F", p.getSex());
    assertEquals("002", p.getSequence());
    assertEquals("X", p.getCheck());
    assertNull(p.getLegacy());
    assertEquals("110105", p.getRegion().getCode());
    assertEquals("北京市", p.getRegion().getProvince());
    assertEquals("朝阳区", p.getRegion().getCounty());
    assertNull(p.getAuthorityCode());
    assertNull(p.getOrgcode());
  }

  @Test
  void validateUpgradesALegacyResidentId() {
    IdResult r = Ids.validate("ric", RIC_LEGACY);
    assertTrue(r.isValid());
    assertEquals(RIC, r.getCanonical());
    assertEquals(RIC_LEGACY, r.getParts().getLegacy());
  }

  @Test
  void validateParsesAnOrgcodeAndADivision() {
    IdResult org = Ids.validate("orgcode", ORGCODE);
    assertTrue(org.isValid());
    assertEquals("M000100Y4", org.getCanonical());
    assertEquals("4", org.getParts().getCheck());
    IdResult div = Ids.validate("gb2260", "110105");
    assertTrue(div.isValid());
    assertEquals("朝阳区", div.getParts().getRegion().getCounty());
  }

  @Test
  void validateAcceptsTheDivisionAlias() {
    assertEquals(IdKind.GB2260, Ids.validate("division", "110105").getKind());
  }

  // ---- IdKind --------------------------------------------------------------------------

  @Test
  void idKindMatchesTheCEnumAndItsNames() {
    // the C values of civ_id_kind (ids.h) and the names civ_id_kind_name gives them
    assertEquals(List.of(IdKind.USCC, IdKind.ORGCODE, IdKind.RIC, IdKind.GB2260), Arrays.asList(IdKind.values()));
    int[] codes = {1, 2, 3, 4};
    String[] names = {"uscc", "orgcode", "ric", "gb2260"};
    for (int i = 0; i < codes.length; i++) {
      IdKind k = IdKind.values()[i];
      assertEquals(codes[i], k.code());
      assertEquals(names[i], k.cName());
      assertEquals(names[i], org.civitas.internal.CivitasNative.civ_id_kind_name(k.code()));
      assertEquals(k, IdKind.fromCode(codes[i]));
      assertEquals(k, IdKind.fromName(names[i]));
      assertEquals(k, IdKind.fromName(names[i].toUpperCase(java.util.Locale.ROOT)));
    }
    assertEquals(IdKind.GB2260, IdKind.fromName("division"));
    assertThrows(InvalidArgumentException.class, () -> IdKind.fromName("passport"));
    assertThrows(InvalidArgumentException.class, () -> IdKind.fromName(null));
    assertThrows(InvalidArgumentException.class, () -> IdKind.fromCode(0));
    assertThrows(InvalidArgumentException.class, () -> IdKind.fromCode(5));
  }

  @Test
  void idKindOverloadsAgreeWithTheNameOverloads() {
    String[] column = {USCC, "91350100M000100Y44", "x"};
    for (IdKind k : IdKind.values()) {
      assertArrayEquals(Ids.reasonsMany(k.cName(), column), Ids.reasonsMany(k, column));
      assertArrayEquals(Ids.validateMany(k.cName(), column), Ids.validateMany(k, Arrays.asList(column)));
      assertEquals(Ids.isValid(k.cName(), USCC), Ids.isValid(k, USCC));
      assertEquals(k, Ids.validate(k, USCC).getKind());
    }
    assertTrue(Ids.isValid(IdKind.USCC, USCC));
    assertFalse(Ids.isValid(IdKind.USCC, "91350100M000100Y44"));
    assertTrue(Ids.validate(IdKind.RIC, "110105491231002").isValid());
    assertEquals('3', Ids.checkChar(IdKind.USCC, USCC.substring(0, 17)));
    assertThrows(InvalidArgumentException.class, () -> Ids.validate((IdKind) null, USCC));
    assertThrows(InvalidArgumentException.class, () -> Ids.checkChar(IdKind.GB2260, "11010"));
  }

  @Test
  void validateNamesTheReasonOfAFailure() {
    IdResult r = Ids.validate("uscc", USCC_BAD_CHECK);
    assertFalse(r.isValid());
    assertEquals("checksum", r.getReason());
    assertEquals("the check character is wrong", r.getMessage());
    assertEquals("length", Ids.validate("uscc", "9135").getReason());
    assertEquals("charset", Ids.validate("uscc", "91350100M000100Y4!").getReason());
    assertEquals("region", Ids.validate("gb2260", "990105").getReason());
    assertFalse(Ids.validate("gb2260", "990105").getParts().getRegion().isKnown());
  }

  @Test
  void validateReportsAFutureBirthDate() {
    String body = "11010521991231002";
    IdResult r = Ids.validate("ric", body + Ids.checkChar("ric", body));
    assertFalse(r.isValid());
    assertEquals("date", r.getReason());
  }

  @Test
  void validateListsWarningsAndStrictFails() {
    String code = "91990000M000100Y4" + Ids.checkChar("uscc", "91990000M000100Y4");
    IdResult lax = Ids.validate("uscc", code);
    assertTrue(lax.isValid());
    assertEquals(List.of("region"), lax.getWarnings());
    assertThrows(UnsupportedOperationException.class, () -> lax.getWarnings().add("x"));
    IdResult strict = Ids.validate("uscc", code, true);
    assertFalse(strict.isValid());
    assertEquals("region", strict.getReason());
  }

  @Test
  void validateSurvivesCharactersOutsideTheBmpAndNul() {
    IdResult r = Ids.validate("uscc", "91350100M000100Y4\uD83D\uDE00");
    assertFalse(r.isValid());
    assertNotNull(r.getReason());
    assertFalse(Ids.validate("uscc", "91350100M000100Y4\u0000").isValid());
    assertFalse(Ids.isValid("ric", "\uD800"));
  }

  @Test
  void toStringShowsTheResult() {
    String s = Ids.validate("uscc", USCC).toString();
    assertTrue(s.contains("valid") && s.contains("福建省"), s);
  }

  // ---- batch ---------------------------------------------------------------------------

  @Test
  void validateManyMatchesIsValidForEachCode() {
    String[] codes = {USCC, USCC_BAD_CHECK, "", "９１３５０１００Ｍ０００１００Ｙ４３", "not a code", "91350100M000100Y4\uD83D\uDE00"};
    boolean[] valid = Ids.validateMany("uscc", codes);
    assertEquals(codes.length, valid.length);
    for (int i = 0; i < codes.length; i++) {
      assertEquals(Ids.isValid("uscc", codes[i]), valid[i], codes[i]);
    }
    assertArrayEquals(valid, Ids.validateMany("uscc", Arrays.asList(codes)));
  }

  @Test
  void reasonsManyNamesEachFailure() {
    List<String> codes = List.of(RIC, "11010519491231002", RIC_LEGACY, "1101051949123100X1");
    String[] reasons = Ids.reasonsMany("ric", codes);
    assertNull(reasons[0]);
    assertEquals("length", reasons[1]);
    assertNull(reasons[2]);
    assertEquals("charset", reasons[3]);
    assertArrayEquals(reasons, Ids.reasonsMany("ric", codes.toArray(new String[0])));
  }

  @Test
  void batchStrictFlagIsPassedOn() {
    String code = "91990000M000100Y4" + Ids.checkChar("uscc", "91990000M000100Y4");
    assertArrayEquals(new boolean[] {true}, Ids.validateMany("uscc", new String[] {code}));
    assertArrayEquals(new boolean[] {false}, Ids.validateMany("uscc", new String[] {code}, true));
    assertArrayEquals(new boolean[] {false}, Ids.validateMany("uscc", List.of(code), true));
    assertArrayEquals(new String[] {"region"}, Ids.reasonsMany("uscc", new String[] {code}, true));
    assertArrayEquals(new String[] {"region"}, Ids.reasonsMany("uscc", List.of(code), true));
  }

  @Test
  void batchOfNothingIsEmpty() {
    assertEquals(0, Ids.validateMany("uscc", new String[0]).length);
    assertEquals(0, Ids.reasonsMany("uscc", new ArrayList<>()).length);
  }

  @Test
  void largeBatchAgreesWithSingleCalls() {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < 20000; i++) {
      String body = String.format("110105%08d", 19491231 - (i % 300)).substring(0, 14) + String.format("%03d", i % 1000);
      codes.add(i % 3 == 0 ? body + "0" : body + Ids.checkChar("ric", body));
    }
    boolean[] valid = Ids.validateMany("ric", codes);
    for (int i = 0; i < codes.size(); i += 97) {
      assertEquals(Ids.isValid("ric", codes.get(i)), valid[i], codes.get(i));
    }
  }

  @Test
  void batchRejectsANullElement() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Ids.validateMany("uscc", new String[] {USCC, null}));
    assertTrue(e.getMessage().contains("codes[1]"), e.getMessage());
  }

  // ---- check characters and legacy upgrade --------------------------------------------

  @Test
  void checkCharComputesEachKind() {
    assertEquals('3', Ids.checkChar("uscc", "91350100M000100Y4"));
    assertEquals('4', Ids.checkChar("orgcode", "M000100Y"));
    assertEquals('X', Ids.checkChar("ric", "11010519491231002"));
  }

  @Test
  void checkCharRejectsBadBodies() {
    assertThrows(InvalidArgumentException.class, () -> Ids.checkChar("uscc", "123"));
    assertThrows(InvalidArgumentException.class, () -> Ids.checkChar("ric", "1101051949123100A"));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Ids.checkChar("gb2260", "110105"));
    assertEquals(-1, e.getCode());
    assertEquals("invalid-argument", e.getCodeName());
  }

  @Test
  void ricUpgradeConvertsALegacyNumber() {
    assertEquals(RIC, Ids.ricUpgrade(RIC_LEGACY));
  }

  @Test
  void ricUpgradeRejectsAnInvalidLegacyNumber() {
    InvalidDataException e = assertThrows(InvalidDataException.class, () -> Ids.ricUpgrade("11010549123100"));
    assertEquals(-20, e.getCode());
    assertEquals("invalid-data", e.getCodeName());
    assertThrows(InvalidDataException.class, () -> Ids.ricUpgrade(RIC));
  }

  // ---- bad arguments -------------------------------------------------------------------

  @Test
  void unknownKindIsAnInvalidArgument() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Ids.validate("passport", "E1"));
    assertEquals(-1, e.getCode());
    assertTrue(e.getMessage().contains("passport"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> Ids.isValid("USCC ", USCC));
    assertThrows(InvalidArgumentException.class, () -> Ids.validateMany("", new String[] {USCC}));
    assertThrows(InvalidArgumentException.class, () -> Ids.checkChar("x", "1"));
  }

  @Test
  void nullArgumentsAreInvalidArguments() {
    assertThrows(InvalidArgumentException.class, () -> Ids.isValid((String) null, USCC));
    assertThrows(InvalidArgumentException.class, () -> Ids.isValid("uscc", null));
    assertThrows(InvalidArgumentException.class, () -> Ids.validate("uscc", null));
    assertThrows(InvalidArgumentException.class, () -> Ids.validateMany("uscc", (String[]) null));
    assertThrows(InvalidArgumentException.class, () -> Ids.reasonsMany("uscc", (List<String>) null));
    assertThrows(InvalidArgumentException.class, () -> Ids.checkChar("uscc", null));
    assertThrows(InvalidArgumentException.class, () -> Ids.ricUpgrade(null));
    assertThrows(InvalidArgumentException.class, () -> Ids.loadDivisionTable((String) null));
  }

  // ---- division table ------------------------------------------------------------------

  @Test
  void loadDivisionTableReplacesTheTableUntilReset(@TempDir Path dir) throws IOException {
    Path table = dir.resolve("loc.dat");
    Files.write(table, List.of("# test table",
        "990101 county=\"测试县\" prefecture=\"测试市\" province=\"测试省\""), StandardCharsets.UTF_8);
    assertFalse(Ids.isValid("gb2260", "990101"));
    Ids.loadDivisionTable(table);
    assertEquals(table.toString(), Ids.divisionTableSource());
    IdResult r = Ids.validate("gb2260", "990101");
    assertTrue(r.isValid());
    assertEquals("测试省", r.getParts().getRegion().getProvince());
    assertEquals("测试县", r.getParts().getRegion().getCounty());
    assertFalse(Ids.isValid("gb2260", "110105"));
    Ids.resetDivisionTable();
    assertTrue(Ids.divisionTableSource().startsWith("builtin:"), Ids.divisionTableSource());
    assertTrue(Ids.isValid("gb2260", "110105"));
  }

  @Test
  void loadDivisionTableAcceptsANonAsciiPath(@TempDir Path dir) throws IOException {
    Path table = dir.resolve("行政区划.dat");
    Files.write(table, List.of("990101 county=\"县\" prefecture=\"市\" province=\"省\""), StandardCharsets.UTF_8);
    Ids.loadDivisionTable(table.toString());
    assertEquals(table.toString(), Ids.divisionTableSource());
  }

  @Test
  void loadDivisionTableReportsAMissingFile(@TempDir Path dir) {
    CivitasIOException e = assertThrows(CivitasIOException.class,
        () -> Ids.loadDivisionTable(dir.resolve("missing.dat")));
    assertEquals(-4, e.getCode());
    assertEquals("io", e.getCodeName());
    assertTrue(Ids.divisionTableSource().startsWith("builtin:"));
  }

  @Test
  void loadDivisionTableReportsTheLineOfAParseError(@TempDir Path dir) throws IOException {
    Path table = dir.resolve("bad.dat");
    Files.write(table, List.of("# comment", "990101 county=\"ok\"", "99010 county=\"short\""), StandardCharsets.UTF_8);
    ParseException e = assertThrows(ParseException.class, () -> Ids.loadDivisionTable(table));
    assertEquals(-6, e.getCode());
    assertEquals("parse", e.getCodeName());
    assertTrue(e.getMessage().contains("row 3"), e.getMessage());
    assertTrue(Ids.isValid("gb2260", "110105"), "a failed load keeps the old table");
  }

  // ---- threads -------------------------------------------------------------------------

  @Test
  void manyThreadsValidateAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          boolean ok = true;
          for (int i = 0; i < 500; i++) {
            ok &= Ids.isValid("uscc", USCC) && !Ids.validate("uscc", USCC_BAD_CHECK).isValid();
            try {
              Ids.checkChar("uscc", "1");
              ok = false;
            } catch (InvalidArgumentException e) {
              ok &= e.getMessage().startsWith("USCC check character");
            }
          }
          return ok;
        }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
