package org.civitas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exchange packages between two workspaces (two departments) that exchanged public keys:
 * create, inspect, verify, open round trip, and each refusal typed with nothing left behind.
 */
class ExchangeTest {
  static final String TAX = "91350100M000100Y43";
  static final String MARKET = "911100001000000248";
  static final String OTHER = "91110000100000016D";
  static final String SCHEMA = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},"
      + "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"integer\"}]}";
  static final byte[] CSV = "id,name,amount\n1,张三,10\n2,b,20\n".getBytes(StandardCharsets.UTF_8);
  static final SecureRandom RNG = new SecureRandom();

  @TempDir Path dir;
  Workspace tax;
  Workspace market;
  Workspace other;
  Path pkg;

  static Workspace make(Path dir, String name, String dept) {
    byte[] key = new byte[32];
    RNG.nextBytes(key);
    return Workspace.create(dir.resolve(name + ".db"), key, new Workspace.Options().department(dept));
  }

  static byte[] bigCsv(int rows) {
    StringBuilder sb = new StringBuilder("id,name,amount\n");
    byte[] r = new byte[12];
    for (int i = 0; i < rows; i++) {
      RNG.nextBytes(r);
      sb.append(i).append(',');
      for (byte b : r) {
        sb.append(String.format("%02x", b));
      }
      sb.append(',').append(i * 7).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static long headerBytes(Path pkg) {
    Matcher m = Pattern.compile("\"header_bytes\":(\\d+)").matcher(Exchange.inspect(pkg));
    assertTrue(m.find());
    return Long.parseLong(m.group(1));
  }

  Set<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Runs op, which must throw exactly cls; out must not appear and no file may be left. */
  <T extends CivitasException> T refused(Class<T> cls, Path out, Executable op) throws IOException {
    Set<String> before = entries();
    T e = assertThrows(cls, op);
    assertEquals(cls, e.getClass());
    assertFalse(Files.exists(out));
    assertEquals(before, entries());
    return e;
  }

  @BeforeEach
  void setUp() throws IOException {
    tax = make(dir, "tax", TAX);
    market = make(dir, "market", MARKET);
    other = make(dir, "other", OTHER);
    market.importPublic(tax.exportPublic());
    tax.importPublic(market.exportPublic());
    other.importPublic(tax.exportPublic());
    pkg = dir.resolve("p.civpkg");
    try (PackageWriter w = PackageWriter.create(tax, pkg, List.of(MARKET), new Exchange.Options().chunkSize(1024))) {
      w.addResource("t", new ByteArrayInputStream(bigCsv(400)), SCHEMA);
      w.finish();
    }
  }

  @Test
  void createInspectVerifyOpenRoundTrip() throws IOException {
    Path src = dir.resolve("payers.csv");
    Files.write(src, CSV);
    Map<String, Path> res = new LinkedHashMap<>();
    res.put("payers", src);
    Path p = dir.resolve("out.civpkg");
    String made = Exchange.create(tax, p, List.of(MARKET), res, SCHEMA, new Exchange.Options()
        .catalog("110000-000001").purpose("licensing check").approval("APP-7").requestHash("sha256:" + "ab".repeat(32)));
    assertTrue(made.contains("\"package_id\""), made);

    String header = Exchange.inspect(p);
    assertTrue(header.contains(TAX) && header.contains(MARKET), header);
    assertTrue(header.contains("\"sequence\":2"), header); // setUp sent sequence 1

    String verified = Exchange.verify(market, p);
    assertTrue(verified.contains(TAX), verified);

    Path out = dir.resolve("in");
    String opened = Exchange.open(market, p, out);
    assertTrue(opened.contains("licensing check") && opened.contains("APP-7") && opened.contains("110000-000001"), opened);
    assertArrayEquals(CSV, Files.readAllBytes(out.resolve("data/payers.csv")));
    assertTrue(Files.readString(out.resolve("datapackage.json")).contains("\"payers\""));
  }

  @Test
  void streamingWriterAndReader() throws IOException {
    byte[] data = bigCsv(300);
    Path p = dir.resolve("s.civpkg");
    try (PackageWriter w = PackageWriter.create(tax, p, List.of(MARKET), new Exchange.Options().threads(0))) {
      w.beginResource("t", SCHEMA);
      for (int i = 0; i < data.length; i += 777) {
        w.write(data, i, Math.min(777, data.length - i));
      }
      w.endResource();
      w.finish();
    }
    byte[] raw = Files.readAllBytes(p);
    Path out = dir.resolve("in");
    try (PackageReader r = PackageReader.create(market, out, true, null, false)) {  // no fsync
      for (int i = 0; i < raw.length; i += 1000) {
        r.feed(raw, i, Math.min(1000, raw.length - i));
      }
      assertTrue(r.finish().contains("\"content_bytes\""));
    }
    assertArrayEquals(data, Files.readAllBytes(out.resolve("data/t.csv")));
    assertThrows(IndexOutOfBoundsException.class, () -> {
      try (PackageReader r = PackageReader.create(market, dir.resolve("x"))) {
        r.feed(raw, 10, raw.length);
      }
    });
  }

  @Test
  void unfinishedWriterLeavesNothing() throws IOException {
    Set<String> before = entries();
    try (PackageWriter w = PackageWriter.create(tax, dir.resolve("x.civpkg"), List.of(MARKET), null)) {
      w.beginResource("t", null);
      w.write("a\n1\n".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(before, entries());
  }

  @Test
  void modifiedCiphertextByteIsIntegrityError() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    raw[(int) headerBytes(pkg) + 500] ^= 1;
    Files.write(pkg, raw);
    IntegrityException e = refused(IntegrityException.class, dir.resolve("out"),
        () -> Exchange.open(market, pkg, dir.resolve("out")));
    assertTrue(e.getMessage().contains("modified"), e.getMessage());
    assertThrows(IntegrityException.class, () -> Exchange.verify(market, pkg));
  }

  @Test
  void reorderedChunksAreIntegrityError() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    int ps = (int) headerBytes(pkg);
    int full = 1024 + 17;
    assertTrue(raw.length > ps + 3 * full);
    byte[] swapped = raw.clone();
    System.arraycopy(raw, ps + full, swapped, ps, full);
    System.arraycopy(raw, ps, swapped, ps + full, full);
    Files.write(pkg, swapped);
    refused(IntegrityException.class, dir.resolve("out"), () -> Exchange.open(market, pkg, dir.resolve("out")));
  }

  @Test
  void modifiedHeaderIsBadSignature() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    String s = new String(raw, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("\"created\":") + 11;
    raw[at] = (byte) (raw[at] == '1' ? '2' : '1');
    Files.write(pkg, raw);
    refused(BadSignatureException.class, dir.resolve("out"), () -> Exchange.open(market, pkg, dir.resolve("out")));
  }

  @Test
  void wrongRecipientIsNotRecipient() throws IOException {
    refused(NotRecipientException.class, dir.resolve("out"), () -> Exchange.open(other, pkg, dir.resolve("out")));
  }

  @Test
  void unknownProviderIsUnknownKey() throws IOException {
    try (Workspace stranger = make(dir, "stranger", "91110108MA01ABCD5T")) { // never imported tax's keys
      refused(UnknownKeyException.class, dir.resolve("out"), () -> Exchange.open(stranger, pkg, dir.resolve("out")));
      assertThrows(UnknownKeyException.class, () -> Exchange.verify(stranger, pkg));
    }
  }

  @Test
  void openingTwiceIsReplay() throws IOException {
    Exchange.open(market, pkg, dir.resolve("first"));
    ReplayException e = refused(ReplayException.class, dir.resolve("second"),
        () -> Exchange.open(market, pkg, dir.resolve("second")));
    assertTrue(e.getMessage().contains("replay"), e.getMessage());
    byte[] raw = Files.readAllBytes(pkg);
    refused(ReplayException.class, dir.resolve("third"), () -> {
      try (PackageReader r = PackageReader.create(market, dir.resolve("third"))) {
        r.feed(new ByteArrayInputStream(raw));
        r.finish();
      }
    });
  }

  @Test
  void truncatedPackageIsTruncated() throws IOException {
    byte[] raw = Files.readAllBytes(pkg);
    Files.write(pkg, java.util.Arrays.copyOf(raw, raw.length - 50));
    refused(TruncatedException.class, dir.resolve("out"), () -> Exchange.open(market, pkg, dir.resolve("out")));
    try (PackageReader r = PackageReader.create(market, dir.resolve("s"))) {
      r.feed(raw, 0, raw.length - 50);
      assertThrows(TruncatedException.class, r::finish);
      assertThrows(InvalidArgumentException.class, r::finish); // the reader is done
    }
    assertFalse(Files.exists(dir.resolve("s")));
  }

  @Test
  void schemaMismatchInvalidRecordsAndSkipValidation() throws IOException {
    Path p = dir.resolve("bad.civpkg");
    Map<String, Path> res = new LinkedHashMap<>();
    Path src = dir.resolve("t.csv");
    Files.write(src, "id,name,amount\n1,a,x\n".getBytes(StandardCharsets.UTF_8));
    res.put("t", src);
    Exchange.create(tax, p, List.of(MARKET), res, SCHEMA, null);
    String expected = "{\"t\":{\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}}";
    refused(SchemaMismatchException.class, dir.resolve("o1"),
        () -> Exchange.open(market, p, dir.resolve("o1"), true, expected));
    refused(InvalidDataException.class, dir.resolve("o2"), () -> Exchange.open(market, p, dir.resolve("o2")));
    Exchange.open(market, p, dir.resolve("o3"), false, null);
    assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dir.resolve("o3/data/t.csv")));
  }

  @Test
  void badArgumentsAreTyped() {
    assertThrows(UnknownKeyException.class,
        () -> PackageWriter.create(tax, dir.resolve("q"), List.of(OTHER), null));
    assertThrows(InvalidArgumentException.class,
        () -> PackageWriter.create(tax, dir.resolve("q"), List.of("a,b"), null));
    assertThrows(InvalidArgumentException.class, () -> Exchange.open(null, pkg, dir.resolve("o")));
    assertThrows(NotFoundException.class, () -> Exchange.inspect(dir.resolve("nope")));
    assertFalse(Files.exists(dir.resolve("q")));
  }
}
